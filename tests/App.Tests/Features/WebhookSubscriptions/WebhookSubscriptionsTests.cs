using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Alba;
using App.Features.WebhookSubscriptions;
using App.Infrastructure.Calendly;
using App.Infrastructure.Configuration;
using App.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using TUnit.Core.Interfaces;

namespace App.Tests.Features.WebhookSubscriptions;

/// <summary>
/// A simulator, database and app of their own: a health run checks every connection in its database, and this simulator
/// disables a subscription at its first failed delivery (nothing receives deliveries for the in-memory app), as Calendly
/// does after 24 hours of them. The app neither retries nor trips its breaker, so the outage test stays short and local.
/// </summary>
public sealed class WebhookCalendly : IAsyncInitializer, IAsyncDisposable
{
    public TestDatabase Database { get; private set; } = null!;
    public SimulatorServer Simulator { get; private set; } = null!;
    public IAlbaHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        Simulator = await SimulatorServer.StartAsync(s => s with { WebhookFailureWindow = TimeSpan.Zero,
            WebhookConnectTimeout = TimeSpan.FromSeconds(2), WebhookReadTimeout = TimeSpan.FromSeconds(2) });
        var settings = Simulator.AppSettings();
        settings["CALENDLY_MAX_RETRIES"] = "0";
        settings["CALENDLY_BREAKER_MIN_THROUGHPUT"] = "10000";
        Host = await AppHost.StartAsync(Database.ConnectionString, settings);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Simulator.DisposeAsync();
        await Database.DisposeAsync();
    }
}

[ClassDataSource<WebhookCalendly>(Shared = SharedType.PerClass)]
[NotInParallel(nameof(WebhookSubscriptionsTests))]
public sealed class WebhookSubscriptionsTests(WebhookCalendly calendly)
{
    private const string OurUrl = SimulatorServer.AppBaseUrl + "/api/calendly/webhooks";

    [Test]
    public async Task A_health_run_creates_one_active_subscription_with_our_url_and_events_and_a_second_run_reuses_it()
    {
        var coach = await ConnectAsync();

        var first = await RunAsync();

        await Assert.That(first.Failed).IsEqualTo(0);
        var subscriptions = await SubscriptionsAsync(coach);
        await Assert.That(subscriptions.Count).IsEqualTo(1);
        var subscription = subscriptions[0];
        await Assert.That(subscription.GetProperty("callback_url").GetString()).IsEqualTo(OurUrl);
        await Assert.That(subscription.GetProperty("state").GetString()).IsEqualTo("active");
        await Assert.That(subscription.GetProperty("scope").GetString()).IsEqualTo("user");
        await Assert.That(subscription.GetProperty("events").EnumerateArray().Select(e => e.GetString()!).Order().ToList())
            .IsEquivalentTo(CalendlyWebhookSubscriptions.Events.Order().ToList());
        var row = await RowAsync(coach);
        await Assert.That(row.State).IsEqualTo("active");
        await Assert.That(row.SubscriptionUri).IsEqualTo(subscription.GetProperty("uri").GetString());
        await Assert.That(row.CheckedAt).IsNotNull();

        await MakeDueAsync(coach);
        await RunAsync();

        var again = await SubscriptionsAsync(coach);
        await Assert.That(again.Count).IsEqualTo(1);
        await Assert.That(again[0].GetProperty("uri").GetString()).IsEqualTo(row.SubscriptionUri);
        await Assert.That((await RowAsync(coach)).State).IsEqualTo("active");
    }

    [Test]
    public async Task A_subscription_deleted_at_Calendly_behind_our_back_is_recreated()
    {
        var coach = await ConnectAsync();
        await RunAsync();
        var before = (await RowAsync(coach)).SubscriptionUri!;
        await CallCalendlyAsync(coach, HttpMethod.Delete, $"webhook_subscriptions/{CalendlyClient.UuidOf(before)}", HttpStatusCode.NoContent);

        await MakeDueAsync(coach);
        var run = await RunAsync();

        await Assert.That(run.Recreated).IsGreaterThanOrEqualTo(1);
        var subscriptions = await SubscriptionsAsync(coach);
        await Assert.That(subscriptions.Count).IsEqualTo(1);
        await Assert.That(subscriptions[0].GetProperty("state").GetString()).IsEqualTo("active");
        var row = await RowAsync(coach);
        await Assert.That(row.SubscriptionUri).IsEqualTo(subscriptions[0].GetProperty("uri").GetString());
        await Assert.That(row.SubscriptionUri).IsNotEqualTo(before);
    }

    [Test]
    public async Task A_subscription_Calendly_disabled_after_failed_deliveries_is_deleted_and_recreated()
    {
        var coach = await ConnectAsync();
        await RunAsync();
        var disabled = (await RowAsync(coach)).SubscriptionUri!;
        // The delivery of this booking fails (nobody listens at the app's URL), which disables the subscription here.
        await BookAsync(coach, "disabling@example.test");
        await WaitUntilAsync(async () => (await SubscriptionsAsync(coach)).Single().GetProperty("state").GetString() == "disabled");

        await MakeDueAsync(coach);
        await RunAsync();

        var subscriptions = await SubscriptionsAsync(coach);
        await Assert.That(subscriptions.Count).IsEqualTo(1);
        await Assert.That(subscriptions[0].GetProperty("state").GetString()).IsEqualTo("active");
        await Assert.That(subscriptions[0].GetProperty("uri").GetString()).IsNotEqualTo(disabled);
        await Assert.That((await RowAsync(coach)).State).IsEqualTo("active");
    }

    [Test]
    public async Task Bookings_made_while_there_was_no_subscription_are_back_filled_once()
    {
        var coach = await ConnectAsync();
        var kept = await BookAsync(coach, "kept@example.test");
        var canceled = await BookAsync(coach, "canceled@example.test");
        (await calendly.Simulator.Http.PostAsJsonAsync("_sim/cancellations", new { invitee = canceled.Invitee, reason = "Ill" })).EnsureSuccessStatusCode();

        await RunAsync();

        var events = await StoredEventsAsync(coach);
        await Assert.That(events).IsEquivalentTo(new[]
        {
            ("invitee.created", kept.Invitee), ("invitee.created", canceled.Invitee), ("invitee.canceled", canceled.Invitee),
        });

        var storedAgain = await WebhookBackfill.RunAsync(Service<NpgsqlDataSource>(), Service<CalendlyCalls>(), coach.UserId,
            coach.Account.Uri, DateTimeOffset.UtcNow.AddDays(-1), TimeProvider.System, CancellationToken.None);

        await Assert.That(storedAgain).IsEqualTo(0);
        await Assert.That((await StoredEventsAsync(coach)).Count).IsEqualTo(3);
    }

    [Test]
    [NeedsSlices("Status")]
    public async Task An_account_whose_plan_refuses_webhooks_is_marked_unsupported_and_polled_instead()
    {
        // Since 2026-11-03 every plan may subscribe; the simulator's fault stands in for a plan Calendly still refuses.
        var response = await calendly.Simulator.Http.PostAsJsonAsync("_sim/users", new { count = 1, plan = "free" });
        response.EnsureSuccessStatusCode();
        var account = (await Browser.JsonAsync(response)).GetProperty("users")[0].Deserialize<SimulatorServer.SimUser>(Browser.Json)!;
        await calendly.Simulator.SetFaultsAsync(new { user = account.Uri, refuseWebhookSubscriptions = true });
        var coach = await ConnectAsync(account);
        var booking = await BookAsync(coach, "polled@example.test");

        var run = await RunAsync();

        await Assert.That(run.Failed).IsEqualTo(0);
        var row = await RowAsync(coach);
        await Assert.That(row.State).IsEqualTo("unsupported_plan");
        await Assert.That(row.SubscriptionUri).IsNull();
        await Assert.That(row.CheckedAt).IsNotNull();
        await Assert.That(await SubscriptionsAsync(coach)).IsEmpty();
        await Assert.That(await StoredEventsAsync(coach)).IsEquivalentTo(new[] { ("invitee.created", booking.Invitee) });
        var browser = await ConnectedCoaches.SignedInAsync(calendly.Host, coach.ExternalId, "coach");
        var card = await (await browser.GetAsync("/calendly/status", htmx: true)).Content.ReadAsStringAsync();
        await Assert.That(card).Contains("Calendly&#x27;s plan for this account does not allow webhooks, so bookings are checked by polling instead");
    }

    [Test]
    [NeedsSlices("Status")]
    public async Task A_subscription_refused_for_a_missing_scope_is_scope_missing_and_not_polled()
    {
        // Everything but webhooks:write: Calendly answers 403 Insufficient scope, which is not its plan refusal.
        var coach = await ConnectAsync(scope: "users:read event_types:read availability:read scheduled_events:write");
        await BookAsync(coach, "not-polled@example.test");

        var run = await RunAsync();

        await Assert.That(run.Failed).IsEqualTo(0);
        var row = await RowAsync(coach);
        await Assert.That(row.State).IsEqualTo("scope_missing");
        await Assert.That(row.SubscriptionUri).IsNull();
        await Assert.That(await StoredEventsAsync(coach)).IsEmpty();
        var browser = await ConnectedCoaches.SignedInAsync(calendly.Host, coach.ExternalId, "coach");
        var status = (await Browser.JsonAsync(await browser.GetAsync("/api/calendly/status"))).GetProperty("data");
        await Assert.That(status.GetProperty("webhookState").GetString()).IsEqualTo("scope_missing");
        await Assert.That(status.GetProperty("missingScopes").EnumerateArray().Select(s => s.GetString()!).ToList())
            .IsEquivalentTo(new[] { "webhooks:write" });
        var card = await (await browser.GetAsync("/calendly/status", htmx: true)).Content.ReadAsStringAsync();
        await Assert.That(card).Contains("Real-time updates are off: Calendly did not grant webhooks:write.");
        await Assert.That(card).DoesNotContain("polling");
    }

    [Test]
    public async Task Disconnecting_deletes_the_subscription_at_Calendly()
    {
        var coach = await ConnectAsync();
        await RunAsync();
        await Assert.That((await SubscriptionsAsync(coach)).Count).IsEqualTo(1);
        var browser = await ConnectedCoaches.SignedInAsync(calendly.Host, coach.ExternalId, "coach");

        var response = await browser.PostJsonAsync("/api/calendly/oauth/disconnect", new { });

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        // The coach's access token is revoked now; a fresh one reads what is left.
        var tokens = await calendly.Simulator.IssueTokensAsync(coach.Account.Uri);
        await Assert.That(await SubscriptionsAsync(coach with { Tokens = tokens })).IsEmpty();
    }

    [Test]
    public async Task A_Calendly_outage_is_logged_and_the_run_goes_on_with_the_state_unchanged()
    {
        var broken = await ConnectAsync();
        var healthy = await ConnectAsync();
        await calendly.Simulator.SetFaultsAsync(new { outage = true, user = broken.Account.Uri });
        try
        {
            var run = await RunAsync();

            await Assert.That(run.Failed).IsGreaterThanOrEqualTo(1);
            var row = await RowAsync(broken);
            await Assert.That(row.State).IsEqualTo("missing");
            await Assert.That(row.SubscriptionUri).IsNull();
            await Assert.That((await RowAsync(healthy)).State).IsEqualTo("active");
        }
        finally
        {
            await calendly.Simulator.SetFaultsAsync(new { user = broken.Account.Uri });
        }
    }

    [Test]
    public async Task A_health_run_records_whether_real_time_updates_work_and_when_it_checked()
    {
        var coach = await ConnectAsync();
        await Assert.That((await RowAsync(coach)).State).IsEqualTo("missing");

        await RunAsync();

        var after = await RowAsync(coach);
        await Assert.That(after.State).IsEqualTo("active");
        await Assert.That(after.CheckedAt!.Value).IsGreaterThan(DateTimeOffset.UtcNow.AddMinutes(-1));
    }

    // ---- helpers

    private T Service<T>() where T : notnull => calendly.Host.Services.GetRequiredService<T>();

    private Task<WebhookHealthJob.RunResult> RunAsync() =>
        WebhookHealthJob.RunOnceAsync(Service<NpgsqlDataSource>(), Service<CalendlyCalls>(), Service<HostingOptions>(),
            new WebhookHealthOptions { Enabled = true, Interval = TimeSpan.FromMinutes(5), Concurrency = 4 }, TimeProvider.System,
            Service<ILogger<WebhookHealthWorker>>(), CancellationToken.None);

    private Task<ConnectedCoaches.ConnectedCoach> ConnectAsync(SimulatorServer.SimUser? account = null, string? scope = null) =>
        ConnectedCoaches.ConnectAsync(calendly.Host, calendly.Database, calendly.Simulator, account, scope);

    private sealed record Row(string State, string? SubscriptionUri, DateTimeOffset? CheckedAt);

    private async Task<Row> RowAsync(ConnectedCoaches.ConnectedCoach coach)
    {
        await using var db = await calendly.Database.OpenAsync();
        return await db.QuerySingleAsync<Row>(
            "select webhook_state as state, webhook_subscription_uri as subscriptionuri, webhook_checked_at as checkedat from calendly_integrations where user_id = @UserId",
            new { coach.UserId });
    }

    /// <summary>Checked longer ago than the interval: the next run verifies it with Calendly.</summary>
    private async Task MakeDueAsync(ConnectedCoaches.ConnectedCoach coach)
    {
        await using var db = await calendly.Database.OpenAsync();
        await db.ExecuteAsync("update calendly_integrations set webhook_checked_at = now() - interval '1 hour' where user_id = @UserId", new { coach.UserId });
    }

    private async Task<List<(string, string)>> StoredEventsAsync(ConnectedCoaches.ConnectedCoach coach)
    {
        await using var db = await calendly.Database.OpenAsync();
        return (await db.QueryAsync<(string, string)>(
            "select event_type, payload->'payload'->>'uri' from calendly_webhook_events where calendly_user_uri = @Uri order by id",
            new { coach.Account.Uri })).AsList();
    }

    [Test]
    [NeedsSlices("Webhooks")]
    public async Task When_the_app_s_address_changes_it_deletes_its_own_old_subscription_and_never_one_it_did_not_create()
    {
        var coach = await ConnectAsync();
        await RunAsync();
        var old = (await SubscriptionsAsync(coach)).Single().GetProperty("uri").GetString()!;
        // Someone else's subscription for the same coach (another integration, made with the coach's token).
        var foreign = (await CallCalendlyAsync(coach, HttpMethod.Post, "webhook_subscriptions", HttpStatusCode.Created, new
        {
            url = "http://crm.example/hooks", events = new[] { "invitee.created" }, organization = coach.Tokens.Organization,
            scope = "user", user = coach.Account.Uri,
        }))!.Value.GetProperty("resource").GetProperty("uri").GetString()!;
        // The app moves: the same database and Calendly, a new PUBLIC_BASE_URL.
        var settings = calendly.Simulator.AppSettings();
        settings["PUBLIC_BASE_URL"] = "http://moved.test";
        settings["CALENDLY_MAX_RETRIES"] = "0";
        await using var moved = await AppHost.StartAsync(calendly.Database.ConnectionString, settings);
        await MakeDueAsync(coach);

        await WebhookHealthJob.RunOnceAsync(moved.Services.GetRequiredService<NpgsqlDataSource>(), moved.Services.GetRequiredService<CalendlyCalls>(),
            moved.Services.GetRequiredService<HostingOptions>(), Service<WebhookHealthOptions>(), TimeProvider.System,
            Service<ILogger<WebhookHealthWorker>>(), CancellationToken.None);

        var now = await SubscriptionsAsync(coach);
        await Assert.That(now.Select(s => s.GetProperty("uri").GetString())).DoesNotContain(old);
        await Assert.That(now.Select(s => s.GetProperty("uri").GetString())).Contains(foreign);
        await Assert.That(now.Single(s => s.GetProperty("uri").GetString() != foreign).GetProperty("callback_url").GetString())
            .IsEqualTo("http://moved.test/api/calendly/webhooks");
    }

    private async Task<List<JsonElement>> SubscriptionsAsync(ConnectedCoaches.ConnectedCoach coach)
    {
        var json = await CallCalendlyAsync(coach, HttpMethod.Get,
            $"webhook_subscriptions?organization={Uri.EscapeDataString(coach.Tokens.Organization)}&scope=user&user={Uri.EscapeDataString(coach.Account.Uri)}",
            HttpStatusCode.OK);
        return json!.Value.GetProperty("collection").EnumerateArray().ToList();
    }

    private async Task<JsonElement?> CallCalendlyAsync(ConnectedCoaches.ConnectedCoach coach, HttpMethod method, string path, HttpStatusCode expected,
        object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new("Bearer", coach.Tokens.AccessToken);
        using var response = await calendly.Simulator.Http.SendAsync(request);
        if (response.StatusCode != expected)
            throw new InvalidOperationException($"{method} {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return expected == HttpStatusCode.NoContent ? null : await Browser.JsonAsync(response);
    }

    private async Task<SimulatorServer.SimBooking> BookAsync(ConnectedCoaches.ConnectedCoach coach, string email)
    {
        var eventType = coach.Account.EventTypes[0];
        var response = await CallCalendlyAsync(coach, HttpMethod.Get,
            $"event_type_available_times?event_type={Uri.EscapeDataString(eventType)}&start_time={Iso(DateTimeOffset.UtcNow.AddHours(1))}&end_time={Iso(DateTimeOffset.UtcNow.AddDays(6))}",
            HttpStatusCode.OK);
        // A booked slot is no longer listed, so the first one listed is free.
        var first = response!.Value.GetProperty("collection")[0].GetProperty("start_time").GetDateTimeOffset();
        return await calendly.Simulator.BookAsync(eventType, first, email);
    }

    private static string Iso(DateTimeOffset t) => Uri.EscapeDataString(t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The condition did not become true within 30 seconds.");
            await Task.Delay(200);
        }
    }
}
