using System.Diagnostics;
using App.Infrastructure.Caching;
using System.Net;
using Alba;
using App.Features.FreeTimes;
using App.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using ZiggyCreatures.Caching.Fusion;
using static App.Tests.Features.FreeTimes.FreeTimesRequests;

namespace App.Tests.Features.FreeTimes;

/// <summary>
/// Upstream call counts, outages and restarts: each test has a simulator, database and app hosts of its own, so the
/// counts and the outage are its alone.
/// </summary>
public sealed class FreeTimesCachingTests
{
    // An outage fails at once instead of after the retries, which keeps these tests quick.
    private static readonly Dictionary<string, string> NoRetries = new() { ["CALENDLY_MAX_RETRIES"] = "0" };

    /// <summary>A world of its own with one connected coach and a realtor asking for three days of their first event type.</summary>
    private sealed class World(IsolatedCalendly calendly, IAlbaHost host, ConnectedCoaches.ConnectedCoach coach, Browser realtor)
        : IAsyncDisposable
    {
        public IsolatedCalendly Calendly => calendly;
        public IAlbaHost Host => host;
        public ConnectedCoaches.ConnectedCoach Coach => coach;
        public Browser Realtor => realtor;
        public string ThreeDaysUrl => FreeTimesUrl(coach.Account.EventTypes[0], Tomorrow, Tomorrow.AddDays(3));

        public static async Task<World> StartAsync(Dictionary<string, string>? settings = null)
        {
            var calendly = await IsolatedCalendly.StartAsync();
            var host = await calendly.StartAppAsync(settings);
            var coach = await ConnectedCoaches.ConnectAsync(host, calendly.Database, calendly.Simulator);
            return new World(calendly, host, coach, await SignedInAsync(host, "realtor"));
        }

        public Task<int> UpstreamCallsAsync() => calendly.Simulator.CountAsync("GET /event_type_available_times");

        public Task FaultAsync(object rule) => calendly.Simulator.SetFaultsAsync(rule);

        public Task EvictAsync() => host.Services.GetRequiredService<IFusionCache>().RemoveByTagAsync(CacheTags.FreeTimesOfCoach(coach.UserId)).AsTask();

        public ValueTask DisposeAsync() => calendly.DisposeAsync();
    }

    [Test]
    public async Task A_31_day_range_is_one_upstream_call_and_32_days_are_refused()
    {
        await using var world = await World.StartAsync();
        var eventUri = world.Coach.Account.EventTypes[0];

        var month = await world.Realtor.GetAsync(FreeTimesUrl(eventUri, Tomorrow, Tomorrow.AddDays(31)));
        var tooLong = await world.Realtor.GetAsync(FreeTimesUrl(eventUri, Tomorrow, Tomorrow.AddDays(32)));

        await Assert.That(month.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That((await SlotsAsync(month)).Max(s => s.StartTime)).IsGreaterThan(Tomorrow.AddDays(27));
        await Assert.That(tooLong.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That((await Browser.JsonAsync(tooLong)).GetProperty("error").GetProperty("details").TryGetProperty("endTime", out _)).IsTrue();
        await Assert.That(await world.UpstreamCallsAsync()).IsEqualTo(1);
    }

    [Test]
    public async Task With_Calendly_s_older_7_day_limit_a_20_day_range_is_asked_in_three_calls_and_merged_in_order()
    {
        await using var world = await World.StartAsync(new() { ["CALENDLY_AVAILABILITY_WINDOW_DAYS"] = "7" });
        var eventUri = world.Coach.Account.EventTypes[0];
        var (start, end) = (Tomorrow, Tomorrow.AddDays(20));

        var response = await world.Realtor.GetAsync(FreeTimesUrl(eventUri, start, end));

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(await world.UpstreamCallsAsync()).IsEqualTo(3);
        var expected = new List<Slot>();
        for (var from = start; from < end; from = from.AddDays(7))
            expected.AddRange(await CalendlySlotsAsync(world.Calendly.Simulator, world.Coach.Tokens.AccessToken, eventUri, from,
                from.AddDays(7) < end ? from.AddDays(7) : end));
        await Assert.That(await SlotsAsync(response)).IsEquivalentTo(expected, TUnit.Assertions.Enums.CollectionOrdering.Matching);
    }

    [Test]
    public async Task A_second_request_is_answered_from_the_cache_and_a_removed_tag_asks_again()
    {
        await using var world = await World.StartAsync();

        var first = await SlotsAsync(await world.Realtor.GetAsync(world.ThreeDaysUrl));
        var second = await SlotsAsync(await world.Realtor.GetAsync(world.ThreeDaysUrl));
        await Assert.That(await world.UpstreamCallsAsync()).IsEqualTo(1);
        await Assert.That(second).IsEquivalentTo(first);

        await world.EvictAsync();
        await world.Realtor.GetAsync(world.ThreeDaysUrl);
        await Assert.That(await world.UpstreamCallsAsync()).IsEqualTo(2);
    }

    [Test]
    public async Task Fifty_concurrent_cold_requests_make_one_upstream_call()
    {
        await using var world = await World.StartAsync();

        // A browser each: one keeps cookies in a plain dictionary.
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ =>
            new Browser(world.Host.Server.CreateClient()) { Bearer = world.Realtor.Bearer }.GetAsync(world.ThreeDaysUrl)));

        await Assert.That(responses.All(r => r.StatusCode == HttpStatusCode.OK)).IsTrue();
        await Assert.That(await world.UpstreamCallsAsync()).IsEqualTo(1);
        await Assert.That(await world.Calendly.Simulator.CountAsync("GET /event_types")).IsEqualTo(1);
    }

    [Test]
    public async Task During_an_outage_an_evicted_entry_is_served_flagged_stale()
    {
        await using var world = await World.StartAsync(NoRetries);
        var warm = (await Browser.JsonAsync(await world.Realtor.GetAsync(world.ThreeDaysUrl))).GetProperty("data");

        await world.FaultAsync(new { outage = true, user = world.Coach.Account.Uri });
        await world.EvictAsync();
        var response = await world.Realtor.GetAsync(world.ThreeDaysUrl);

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        var served = (await Browser.JsonAsync(response)).GetProperty("data");
        await Assert.That(served.GetProperty("stale").GetBoolean()).IsTrue();
        await Assert.That(served.GetProperty("fetchedAt").GetString()).IsEqualTo(warm.GetProperty("fetchedAt").GetString());
        await Assert.That(served.GetProperty("slots").GetRawText()).IsEqualTo(warm.GetProperty("slots").GetRawText());
        await Assert.That(await world.UpstreamCallsAsync()).IsEqualTo(2);
    }

    [Test]
    public async Task During_a_known_outage_the_next_attempt_is_made_in_the_background_and_nobody_waits_for_it()
    {
        await using var world = await World.StartAsync(NoRetries);
        var warm = (await Browser.JsonAsync(await world.Realtor.GetAsync(world.ThreeDaysUrl))).GetProperty("data");
        await world.FaultAsync(new { outage = true, user = world.Coach.Account.Uri });
        await world.EvictAsync();
        await world.Realtor.GetAsync(world.ThreeDaysUrl);
        var callsOnceKnown = await world.UpstreamCallsAsync();

        // The outage is known (the last attempt failed); Calendly now takes four seconds to fail.
        await world.FaultAsync(new { outage = true, latencyMs = 4000, user = world.Coach.Account.Uri });
        await world.EvictAsync();
        var clock = Stopwatch.StartNew();
        var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(async _ => await world.Realtor.GetAsync(world.ThreeDaysUrl)));
        var waited = clock.Elapsed;

        await Assert.That(waited).IsLessThan(TimeSpan.FromSeconds(1.5));
        foreach (var answer in answers)
        {
            var served = (await Browser.JsonAsync(answer)).GetProperty("data");
            await Assert.That(served.GetProperty("stale").GetBoolean()).IsTrue();
            await Assert.That(served.GetProperty("fetchedAt").GetString()).IsEqualTo(warm.GetProperty("fetchedAt").GetString());
        }
        // One attempt for the key, in the background, whatever the number of requests.
        while (await world.UpstreamCallsAsync() == callsOnceKnown && clock.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(100);
        await Task.Delay(500);
        await world.Realtor.GetAsync(world.ThreeDaysUrl);
        await Assert.That(await world.UpstreamCallsAsync()).IsEqualTo(callsOnceKnown + 1);

        // Calendly back: the background attempt of the next throttle period brings fresh times.
        await world.Calendly.Simulator.ClearFaultsAsync();
        await world.EvictAsync();
        await world.Realtor.GetAsync(world.ThreeDaysUrl);
        var refreshed = (await Browser.JsonAsync(await world.Realtor.GetAsync(world.ThreeDaysUrl))).GetProperty("data");
        while (refreshed.GetProperty("stale").GetBoolean() && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(100);
            refreshed = (await Browser.JsonAsync(await world.Realtor.GetAsync(world.ThreeDaysUrl))).GetProperty("data");
        }
        await Assert.That(refreshed.GetProperty("stale").GetBoolean()).IsFalse();
        await Assert.That(refreshed.GetProperty("fetchedAt").GetDateTimeOffset()).IsGreaterThan(warm.GetProperty("fetchedAt").GetDateTimeOffset());
    }

    [Test]
    public async Task A_slow_refresh_serves_the_previous_times_at_once_and_finishes_in_the_background()
    {
        await using var world = await World.StartAsync();
        var warm = (await Browser.JsonAsync(await world.Realtor.GetAsync(world.ThreeDaysUrl))).GetProperty("data");
        var warmFetchedAt = warm.GetProperty("fetchedAt").GetString();

        await world.FaultAsync(new { latencyMs = 4000, user = world.Coach.Account.Uri, endpoints = new[] { "/event_type_available_times" } });
        await world.EvictAsync();
        var served = (await Browser.JsonAsync(await world.Realtor.GetAsync(world.ThreeDaysUrl))).GetProperty("data");

        // Served the previous fetch: a request that had waited for the slow one would carry its later fetchedAt.
        await Assert.That(served.GetProperty("fetchedAt").GetString()).IsEqualTo(warmFetchedAt);
        await Assert.That(served.GetProperty("slots").GetRawText()).IsEqualTo(warm.GetProperty("slots").GetRawText());
        var refreshed = served;
        for (var deadline = DateTime.UtcNow.AddSeconds(60); refreshed.GetProperty("fetchedAt").GetString() == warmFetchedAt && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(250);
            refreshed = (await Browser.JsonAsync(await world.Realtor.GetAsync(world.ThreeDaysUrl))).GetProperty("data");
        }
        await Assert.That(refreshed.GetProperty("stale").GetBoolean()).IsFalse();
        await Assert.That(refreshed.GetProperty("fetchedAt").GetDateTimeOffset()).IsGreaterThan(warm.GetProperty("fetchedAt").GetDateTimeOffset());
        await Assert.That(await world.UpstreamCallsAsync()).IsEqualTo(2);
    }

    [Test]
    public async Task After_a_restart_during_an_outage_the_stored_copy_is_served_flagged_stale()
    {
        await using var world = await World.StartAsync(NoRetries);
        var warm = await SlotsAsync(await world.Realtor.GetAsync(world.ThreeDaysUrl));

        await world.FaultAsync(new { outage = true, user = world.Coach.Account.Uri });
        var restarted = await world.Calendly.StartAppAsync(NoRetries);
        var response = await (await SignedInAsync(restarted, "realtor")).GetAsync(world.ThreeDaysUrl);

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That((await Browser.JsonAsync(response)).GetProperty("data").GetProperty("stale").GetBoolean()).IsTrue();
        await Assert.That(await SlotsAsync(response)).IsEquivalentTo(warm);
        await using var db = await world.Calendly.Database.OpenAsync();
        var stored = await db.ExecuteScalarAsync<int>("select count(*) from calendly_availability_cache where user_id = @UserId",
            new { world.Coach.UserId });
        await Assert.That(stored).IsEqualTo(1);
    }

    [Test]
    public async Task With_Calendly_down_and_nothing_stored_the_answer_is_calendly_unavailable()
    {
        await using var world = await World.StartAsync(NoRetries);
        await world.FaultAsync(new { outage = true, user = world.Coach.Account.Uri, endpoints = new[] { "/event_type_available_times" } });

        var response = await world.Realtor.GetAsync(world.ThreeDaysUrl);

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.ServiceUnavailable);
        await Assert.That((await Browser.JsonAsync(response)).GetProperty("error").GetProperty("code").GetString()).IsEqualTo("calendly_unavailable");
    }

    [Test]
    public async Task An_event_type_of_no_connected_coach_is_not_found()
    {
        await using var world = await World.StartAsync();
        var stranger = (await world.Calendly.Simulator.CreateUsersAsync(1))[0];

        var response = await world.Realtor.GetAsync(FreeTimesUrl(stranger.EventTypes[0], Tomorrow, Tomorrow.AddDays(3)));

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
        await Assert.That((await Browser.JsonAsync(response)).GetProperty("error").GetProperty("code").GetString()).IsEqualTo("not_found");
        await Assert.That(await world.UpstreamCallsAsync()).IsEqualTo(0);
    }
}
