using System.Net;
using System.Text.Json;
using Alba;
using App.Infrastructure.Calendly;
using App.Infrastructure.Configuration;
using App.Tests.Support;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Dapper;
using static App.Tests.Support.NativeBookings;

namespace App.Tests.Infrastructure;

/// <summary>
/// What the app writes to its log, captured at every level (Trace and Debug included, every category appsettings.json
/// quiets turned up), on an app of its own so that each line is this test's.
/// </summary>
public sealed class LogTests
{
    private sealed record VerboseApp(IAlbaHost Host, TestDatabase Database, SimulatorServer Simulator, CapturedLogs Logs) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Host.DisposeAsync();
            await Simulator.DisposeAsync();
            await Database.DisposeAsync();
        }
    }

    /// <summary>
    /// Every category the app's configuration names, and the default, turned up to Trace, as an operator chasing a bug
    /// would; the console stays quiet. Only what the app itself rules out in code stays out.
    /// </summary>
    private static async Task<VerboseApp> StartAsync()
    {
        var database = await TestDatabase.CreateAsync();
        var simulator = await SimulatorServer.StartAsync();
        var settings = simulator.AppSettings();
        using var appsettings = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "appsettings.json")));
        foreach (var category in appsettings.RootElement.GetProperty("Logging").GetProperty("LogLevel").EnumerateObject())
            settings[$"Logging:LogLevel:{category.Name}"] = "Trace";
        settings["Logging:Console:LogLevel:Default"] = "None";
        // The app's own processor applies the deliveries: this database is the test's alone.
        settings["WEBHOOK_PROCESSING_ENABLED"] = "true";
        var logs = new CapturedLogs();
        var host = await AppHost.StartAsync(database.ConnectionString, settings, logs);
        return new VerboseApp(host, database, simulator, logs);
    }

    [Test]
    [NeedsSlices("EventTypes", "NativeBooking", "Webhooks")]
    public async Task No_secret_reaches_any_log_line_through_connect_refresh_booking_and_webhook()
    {
        await using var app = await StartAsync();
        var secrets = new List<string> { CalendlyOptions.DevClientSecret, CalendlyOptions.DevWebhookSigningKey };
        var tokens = app.Host.Services.GetRequiredService<CalendlyTokens>();

        // Connect through Calendly's consent page: the authorization code comes back in the callback's query.
        var connecting = new Browser(app.Host.Server.CreateClient());
        var connectingId = $"coach-{Guid.NewGuid():N}"[..20];
        await connecting.SignInAsync(connectingId, $"{connectingId}@example.test", "coach");
        var start = await connecting.GetAsync("/api/calendly/oauth/connect");
        var callback = await app.Simulator.ConsentAsync(start.Headers.Location!, accountUuid: (await app.Simulator.CreateUsersAsync(1))[0].Uuid);
        secrets.Add(QueryHelpers.ParseQuery(callback.Query)["code"].ToString());
        await Assert.That((await connecting.GetAsync(callback.PathAndQuery)).StatusCode).IsEqualTo(HttpStatusCode.Redirect);
        var connectedId = await SignedInUserModule.UserIdAsync(connecting);

        // Refresh: a coach whose access token is about to expire asks for their event types.
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        secrets.AddRange([coach.Tokens.AccessToken, coach.Tokens.RefreshToken]);
        await ConnectedCoaches.ExpireSoonAsync(app.Database, coach.UserId, TimeSpan.Zero);
        var coachBrowser = await ConnectedCoaches.SignedInAsync(app.Host, coach.ExternalId, "coach");
        secrets.Add(coachBrowser.Bearer!);
        await Assert.That((await coachBrowser.GetAsync("/api/calendly/events/types")).StatusCode).IsEqualTo(HttpStatusCode.OK);

        // Calendly sends the coach's webhooks to an inbox, from which they are handed to the app.
        await using var inbox = await WebhookInbox.StartAsync();
        await app.Host.Services.GetRequiredService<CalendlyClient>().CreateWebhookSubscriptionAsync(await tokens.GetAccessTokenAsync(coach.UserId, default),
            new WebhookSubscriptionRequest(inbox.Url, CalendlyWebhookSubscriptions.Events, coach.Tokens.Organization, "user", coach.Account.Uri, null),
            CancellationToken.None);

        // A realtor books a free time in the app.
        var realtor = await RealtorAsync(app.Host, app.Database);
        secrets.AddRange([realtor.Email, realtor.Browser.Bearer!]);
        var start9 = (await FreeStartsAsync(realtor.Browser, coach.Account.EventTypes[0]))[0];
        var booked = await BookAsync(realtor.Browser, new { eventUri = coach.Account.EventTypes[0], startTime = Iso(start9) }, NewKey());
        await Assert.That(booked.StatusCode).IsEqualTo(HttpStatusCode.Created);
        var inviteeUri = (await DataAsync(booked)).GetProperty("invitees")[0].GetProperty("uri").GetString()!;

        // Its webhook, delivered and applied, and a forged one refused.
        var delivery = await inbox.WaitForAsync("invitee.created", inviteeUri);
        secrets.Add(delivery.Signature);
        foreach (var signature in (string[])[delivery.Signature, delivery.Signature.Replace("v1=", "v1=0")])
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/calendly/webhooks") { Content = new ByteArrayContent(delivery.Body) };
            request.Content.Headers.ContentType = new("application/json");
            request.Headers.Add("Calendly-Webhook-Signature", signature);
            await new Browser(app.Host.Server.CreateClient()).SendAsync(request);
        }
        await using (var db = await app.Database.OpenAsync())
        {
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (await db.ExecuteScalarAsync<int>("select count(*) from calendly_webhook_events where processed_at is null") > 0)
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException("The webhook was not applied.");
                await Task.Delay(50);
            }
        }

        // The tokens the app holds now: the connected coach's, and the refreshed ones.
        foreach (var userId in (long[])[connectedId, coach.UserId])
        {
            var (access, refresh) = (await tokens.DeleteConnectionAsync(userId, CancellationToken.None))!.Value;
            secrets.AddRange([access, refresh]);
        }

        var lines = app.Logs.Lines.ToList();
        // The capture saw everything, Debug included, and the flow's requests.
        await Assert.That(lines.Any(line => line.StartsWith("Debug ", StringComparison.Ordinal))).IsTrue();
        await Assert.That(lines.Any(line => line.Contains("/api/calendly/oauth/callback"))).IsTrue();
        await Assert.That(lines.Any(line => line.Contains("POST /api/calendly/invitees answered 201"))).IsTrue();
        var leaks = lines.SelectMany(line => secrets.Where(line.Contains).Select(secret => $"{secret[..Math.Min(8, secret.Length)]}… in: {line}")).ToList();
        await Assert.That(leaks).IsEmpty();
    }

    [Test]
    public async Task A_404_is_one_line_with_no_exception_or_stack_trace()
    {
        await using var app = await StartAsync();
        var realtor = new Browser(app.Host.Server.CreateClient());
        await realtor.SignInAsync("lost-realtor", "lost-realtor@example.test", "realtor");
        var before = app.Logs.Lines.Count;

        // A coach that does not exist: the handler throws its 404, which the error mapping answers.
        var response = await realtor.GetAsync($"/coaches/987654321/book?eventTypeUri={Uri.EscapeDataString(app.Simulator.BaseUrl + "/event_types/x")}");

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
        var lines = app.Logs.Lines.Skip(before).ToList();
        await Assert.That(lines.Where(line => line.Contains("Exception") || line.Contains("   at "))).IsEmpty();
        var requestLines = lines.Where(line => line.StartsWith("Information App.Infrastructure.Web.RequestLog:", StringComparison.Ordinal)).ToList();
        await Assert.That(requestLines).HasSingleItem();
        await Assert.That(requestLines[0]).Contains("GET /coaches/{coachId:long}/book answered 404 in ");
        await Assert.That(requestLines[0]).Contains("(trace ");
    }
}
