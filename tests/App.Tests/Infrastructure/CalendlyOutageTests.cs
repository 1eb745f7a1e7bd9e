using System.Diagnostics;
using System.Net;
using Alba;
using App.Infrastructure.Calendly;
using App.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace App.Tests.Infrastructure;

/// <summary>What the app does when Calendly is down, slow to forgive, or refreshed from two places at once.</summary>
public sealed class CalendlyOutageTests
{
    private static Task<CalendlyUser> MeAsync(IAlbaHost host, long userId) =>
        host.Services.GetRequiredService<CalendlyCalls>()
            .RunAsync(userId, (client, token) => client.GetCurrentUserAsync(token, CancellationToken.None), CancellationToken.None);

    [Test]
    public async Task Two_hosts_refreshing_the_same_integration_make_one_token_request_and_both_end_working()
    {
        await using var calendly = await IsolatedCalendly.StartAsync();
        var first = await calendly.StartAppAsync();
        var second = await calendly.StartAppAsync();
        var coach = await ConnectedCoaches.ConnectAsync(first, calendly.Database, calendly.Simulator);
        await ConnectedCoaches.ExpireSoonAsync(calendly.Database, coach.UserId, TimeSpan.FromMinutes(10));
        var tokenRequestsBefore = await calendly.Simulator.CountAsync("POST /oauth/token");

        // Both hosts see the token expiring within the hour and race to refresh it.
        var before = CalendlyTokens.RefreshTrigger.Expiring(DateTimeOffset.UtcNow.AddHours(1));
        var outcomes = await Task.WhenAll(
            first.Services.GetRequiredService<CalendlyTokens>().RefreshWithOutcomeAsync(coach.UserId, before, CancellationToken.None),
            second.Services.GetRequiredService<CalendlyTokens>().RefreshWithOutcomeAsync(coach.UserId, before, CancellationToken.None));

        await Assert.That(await calendly.Simulator.CountAsync("POST /oauth/token") - tokenRequestsBefore).IsEqualTo(1);
        await Assert.That(outcomes.Count(o => o.Outcome == CalendlyTokens.RefreshOutcome.Refreshed)).IsEqualTo(1);
        await Assert.That(outcomes[0].AccessToken).IsEqualTo(outcomes[1].AccessToken);
        await Assert.That((await MeAsync(first, coach.UserId)).Uri).IsEqualTo(coach.Account.Uri);
        await Assert.That((await MeAsync(second, coach.UserId)).Uri).IsEqualTo(coach.Account.Uri);
    }

    [Test]
    public async Task The_circuit_opens_during_an_outage_and_closes_after()
    {
        await using var calendly = await IsolatedCalendly.StartAsync();
        var host = await calendly.StartAppAsync(new Dictionary<string, string>
        {
            ["CALENDLY_MAX_RETRIES"] = "0",
            ["CALENDLY_BREAKER_MIN_THROUGHPUT"] = "3",
            ["CALENDLY_BREAKER_BREAK_SECONDS"] = "1",
        });
        var coach = await ConnectedCoaches.ConnectAsync(host, calendly.Database, calendly.Simulator);
        await calendly.Simulator.SetFaultsAsync(new { outage = true });

        for (var i = 0; i < 3; i++)
            await Assert.That(() => (Task)MeAsync(host, coach.UserId)).Throws<CalendlyException>();
        var reachedBefore = await calendly.Simulator.CountAsync("GET /users/me");

        var open = await Assert.That(() => (Task)MeAsync(host, coach.UserId)).Throws<CalendlyException>();
        await Assert.That(open!.Failure).IsEqualTo(CalendlyFailure.Unavailable);
        await Assert.That(open.Message).Contains("paused");
        await Assert.That(await calendly.Simulator.CountAsync("GET /users/me")).IsEqualTo(reachedBefore);

        await calendly.Simulator.ClearFaultsAsync();
        var deadline = Stopwatch.StartNew();
        CalendlyUser? me = null;
        while (me is null && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                me = await MeAsync(host, coach.UserId);
            }
            catch (CalendlyException)
            {
                await Task.Delay(200);
            }
        }
        await Assert.That(me?.Uri).IsEqualTo(coach.Account.Uri);
    }

    // Short deadlines, and retries at once: three one-second attempts fit in the call's three seconds.
    private static readonly Dictionary<string, string> ShortDeadlines = new()
    {
        ["CALENDLY_TIMEOUT_SECONDS"] = "3",
        ["CALENDLY_ATTEMPT_TIMEOUT_SECONDS"] = "1",
        ["CALENDLY_RETRY_BASE_DELAY_MS"] = "0",
    };

    private static readonly TimeSpan StalledBody = TimeSpan.FromSeconds(20);

    /// <summary>The simulator counts a request once it has ended, which for an abandoned one is a moment after the app moved on.</summary>
    private static async Task<int> CountWhenSettledAsync(SimulatorServer simulator, string route, int atLeast)
    {
        var clock = Stopwatch.StartNew();
        var count = await simulator.CountAsync(route);
        while (count < atLeast && clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(50);
            count = await simulator.CountAsync(route);
        }
        return count;
    }

    [Test]
    [NeedsSlices("EventTypes")]
    public async Task A_body_that_stalls_ends_each_attempt_and_the_call_at_their_deadlines_in_the_envelope()
    {
        await using var calendly = await IsolatedCalendly.StartAsync();
        var host = await calendly.StartAppAsync(ShortDeadlines);
        var coach = await ConnectedCoaches.ConnectAsync(host, calendly.Database, calendly.Simulator);
        var browser = await ConnectedCoaches.SignedInAsync(host, coach.ExternalId, "coach");
        await calendly.Simulator.SetFaultsAsync(new
        {
            user = coach.Account.Uri, slowBodyMs = (int)StalledBody.TotalMilliseconds, endpoints = new[] { "/event_types" },
        });

        var clock = Stopwatch.StartNew();
        var response = await browser.GetAsync("/api/calendly/events/types");
        var elapsed = clock.Elapsed;

        await Assert.That(elapsed).IsLessThan(TimeSpan.FromSeconds(5));
        await Assert.That(elapsed).IsGreaterThan(TimeSpan.FromSeconds(2.5));
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.ServiceUnavailable);
        var error = (await Browser.JsonAsync(response)).GetProperty("error");
        await Assert.That(error.GetProperty("code").GetString()).IsEqualTo("calendly_unavailable");
        await Assert.That(error.GetProperty("message").GetString()).Contains("in time");
        // Each attempt's deadline cut its body short, so a read was tried again within the call's deadline.
        await Assert.That(await CountWhenSettledAsync(calendly.Simulator, "GET /event_types", atLeast: 2)).IsGreaterThanOrEqualTo(2);
    }

    [Test]
    [NeedsSlices("EventTypes")]
    public async Task A_token_refresh_whose_body_stalls_fails_typed_at_the_attempt_deadline_and_is_sent_once()
    {
        await using var calendly = await IsolatedCalendly.StartAsync();
        var host = await calendly.StartAppAsync(ShortDeadlines);
        var coach = await ConnectedCoaches.ConnectAsync(host, calendly.Database, calendly.Simulator);
        var browser = await ConnectedCoaches.SignedInAsync(host, coach.ExternalId, "coach");
        await ConnectedCoaches.ExpireSoonAsync(calendly.Database, coach.UserId, TimeSpan.FromSeconds(30));
        // The token endpoint knows no user (its caller is the app, with client credentials): the rule is the simulator's own.
        await calendly.Simulator.SetFaultsAsync(new { slowBodyMs = (int)StalledBody.TotalMilliseconds, endpoints = new[] { "/oauth/token" } });
        var tokenRequestsBefore = await calendly.Simulator.CountAsync("POST /oauth/token");

        var clock = Stopwatch.StartNew();
        var response = await browser.GetAsync("/api/calendly/events/types");
        var elapsed = clock.Elapsed;

        await Assert.That(elapsed).IsLessThan(TimeSpan.FromSeconds(3));
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.ServiceUnavailable);
        await Assert.That((await Browser.JsonAsync(response)).GetProperty("error").GetProperty("code").GetString()).IsEqualTo("calendly_unavailable");
        // Calendly may have rotated the refresh token before its answer stalled: sending the old one again could not help.
        await Assert.That(await CountWhenSettledAsync(calendly.Simulator, "POST /oauth/token", tokenRequestsBefore + 1) - tokenRequestsBefore)
            .IsEqualTo(1);
    }

    [Test]
    public async Task A_rate_limited_call_waits_as_Calendly_s_headers_say_before_retrying()
    {
        await using var calendly = await IsolatedCalendly.StartAsync();
        var host = await calendly.StartAppAsync(new Dictionary<string, string>
        {
            ["CALENDLY_MAX_RETRIES"] = "2",
            // X-RateLimit-Reset says up to a minute; the cap keeps the test short while still proving the wait.
            ["CALENDLY_MAX_RETRY_DELAY_SECONDS"] = "1",
        });
        var coach = await ConnectedCoaches.ConnectAsync(host, calendly.Database, calendly.Simulator);
        await calendly.Simulator.SetFaultsAsync(new { rateLimitPerMinute = 1, user = coach.Account.Uri });
        await MeAsync(host, coach.UserId);

        var clock = Stopwatch.StartNew();
        var error = await Assert.That(() => (Task)MeAsync(host, coach.UserId)).Throws<CalendlyException>();

        await Assert.That(error!.Failure).IsEqualTo(CalendlyFailure.RateLimited);
        await Assert.That(clock.Elapsed).IsGreaterThanOrEqualTo(TimeSpan.FromSeconds(1.9));
        var stats = await calendly.Simulator.Http.GetStringAsync("_sim/stats");
        await Assert.That(stats).Contains("\"429\":3");
    }
}
