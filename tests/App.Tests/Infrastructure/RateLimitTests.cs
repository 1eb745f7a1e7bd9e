using System.Net;
using System.Security.Cryptography;
using Alba;
using App.Tests.Support;
using TUnit.Core.Interfaces;
using static App.Tests.Support.ApiResponses;

namespace App.Tests.Infrastructure;

/// <summary>
/// One app with low limits (three a minute) behind a proxy whose X-Forwarded-For each test sets, so that every test
/// is a client address of its own.
/// </summary>
public sealed class RateLimitedApp : IAsyncInitializer, IAsyncDisposable
{
    public const int Limit = 3;

    public TestDatabase Database { get; private set; } = null!;
    public SimulatorServer Simulator { get; private set; } = null!;
    public IAlbaHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        Simulator = await SimulatorServer.StartAsync();
        var settings = Simulator.AppSettings();
        settings["FORWARDEDHEADERS_ENABLED"] = "true";
        foreach (var name in Unthrottled.Settings.Keys) settings[name] = Limit.ToString();
        Host = await AppHost.StartAsync(Database.ConnectionString, settings);
    }

    /// <summary>A browser at its own client address.</summary>
    public Browser At(string address)
    {
        var client = Host.Server.CreateClient();
        client.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        return new Browser(client);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Simulator.DisposeAsync();
        await Database.DisposeAsync();
    }
}

[ClassDataSource<RateLimitedApp>(Shared = SharedType.PerClass)]
public sealed class RateLimitTests(RateLimitedApp app)
{
    private static string NewAddress() => $"198.51.100.{RandomNumberGenerator.GetInt32(1, 255)}";

    private static Task<HttpResponseMessage> TokenAsync(Browser browser, string userId) =>
        browser.PostJsonAsync("/api/dev/token", new { userId, email = $"{userId}@example.test", role = "realtor" });

    private static async Task AssertRetryAfterAsync(HttpResponseMessage response)
    {
        var seconds = int.Parse(response.Headers.GetValues("Retry-After").Single());
        await Assert.That(seconds).IsBetween(1, 60);
    }

    [Test]
    public async Task Dev_tokens_are_limited_per_client_address_with_429_rate_limited_and_Retry_After()
    {
        var address = NewAddress();
        for (var i = 0; i < RateLimitedApp.Limit; i++)
            await Assert.That((await TokenAsync(app.At(address), "limited")).StatusCode).IsEqualTo(HttpStatusCode.OK);

        var refused = await TokenAsync(app.At(address), "limited");

        await ErrorOf(refused, HttpStatusCode.TooManyRequests, "rate_limited");
        await AssertRetryAfterAsync(refused);
        // Another address is not held back by this one.
        await Assert.That((await TokenAsync(app.At("203.0.113.99"), "limited")).StatusCode).IsEqualTo(HttpStatusCode.OK);
    }

    [Test]
    public async Task The_sign_in_form_over_its_limit_answers_an_HTML_page()
    {
        var browser = app.At("192.0.2.10");
        // A fresh token each time: once signed in, the form's token is bound to the person.
        async Task<HttpResponseMessage> SignInAsync() => await browser.PostFormAsync("/dev/sign-in", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = await browser.AntiforgeryTokenFromAsync("/dev/sign-in"), ["userId"] = "form-limited",
            ["name"] = "", ["email"] = "form-limited@example.test", ["role"] = "coach", ["timeZone"] = "UTC",
        });
        for (var i = 0; i < RateLimitedApp.Limit; i++)
            await Assert.That((await SignInAsync()).StatusCode).IsEqualTo(HttpStatusCode.Redirect);

        var refused = await SignInAsync();

        await Assert.That(refused.StatusCode).IsEqualTo(HttpStatusCode.TooManyRequests);
        await Assert.That(refused.Content.Headers.ContentType!.MediaType).IsEqualTo("text/html");
        await Assert.That(await refused.Content.ReadAsStringAsync()).Contains("Too many attempts");
        await AssertRetryAfterAsync(refused);
    }

    [Test]
    public async Task Connect_and_callback_share_a_limit_per_client_address()
    {
        var address = "192.0.2.20";
        var coach = app.At(address);
        // Signing in spends from another limit (sign-in), not this one.
        await coach.SignInAsync("oauth-limited", "oauth-limited@example.test", "coach");
        for (var i = 0; i < RateLimitedApp.Limit - 1; i++)
            await Assert.That((await coach.GetAsync("/api/calendly/oauth/connect")).StatusCode).IsEqualTo(HttpStatusCode.Redirect);
        // No state cookie matches: the callback refuses it (400), and it counts.
        await Assert.That((await coach.GetAsync("/api/calendly/oauth/callback?code=x&state=y")).StatusCode).IsEqualTo(HttpStatusCode.BadRequest);

        var refused = await coach.GetAsync("/api/calendly/oauth/callback?code=x&state=y");

        await Assert.That(refused.StatusCode).IsEqualTo(HttpStatusCode.TooManyRequests);
        await Assert.That(await refused.Content.ReadAsStringAsync()).Contains("Too many attempts");
        await AssertRetryAfterAsync(refused);
    }

    [Test]
    [NeedsSlices("Bookings", "Cancel", "NativeBooking")]
    public async Task Booking_and_cancelling_are_limited_per_user_wherever_they_come_from()
    {
        var realtor = await ConnectedCoaches.SignedInAsync(app.Host, $"busy-{Guid.NewGuid():N}", "realtor");
        var other = await ConnectedCoaches.SignedInAsync(app.Host, $"calm-{Guid.NewGuid():N}", "realtor");
        // Invalid on purpose: the limit counts attempts, and nothing reaches Calendly.
        await Assert.That((await realtor.PostJsonAsync("/api/calendly/invitees", new { })).StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That((await realtor.PostJsonAsync("/api/calendly/bookings", new { })).StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That((await realtor.PostJsonAsync("/api/calendly/events/cancel", new { })).StatusCode).IsEqualTo(HttpStatusCode.BadRequest);

        var refused = await realtor.PostJsonAsync("/api/calendly/events/cancel", new { });

        await ErrorOf(refused, HttpStatusCode.TooManyRequests, "rate_limited");
        await AssertRetryAfterAsync(refused);
        await Assert.That((await other.PostJsonAsync("/api/calendly/events/cancel", new { })).StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
    }
}
