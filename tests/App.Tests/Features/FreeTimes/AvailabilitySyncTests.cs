using System.Net;
using Alba;
using App.Features.FreeTimes;
using App.Infrastructure.Calendly;
using App.Infrastructure.Configuration;
using App.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using static App.Tests.Features.FreeTimes.FreeTimesRequests;

namespace App.Tests.Features.FreeTimes;

/// <summary>
/// The availability sync, run by hand (the hosts' background loop is off): each test has a simulator, database and app
/// of its own, so the run sees only its coaches and the upstream counts are its alone.
/// </summary>
public sealed class AvailabilitySyncTests
{
    private static readonly AvailabilitySyncOptions Options = new() { Enabled = true, Interval = TimeSpan.FromMinutes(10), Concurrency = 4, Days = 7 };

    // An outage fails at once instead of after the retries, which keeps these tests quick.
    private static readonly Dictionary<string, string> NoRetries = new() { ["CALENDLY_MAX_RETRIES"] = "0" };

    private sealed record SyncState(DateTimeOffset? LastSyncAt, DateTimeOffset? NextSyncAt, int FailedSyncCount, string? LastSyncError,
        string? SchedulingUrl, string Status);

    private sealed class World(IsolatedCalendly calendly, IAlbaHost host, IReadOnlyList<ConnectedCoaches.ConnectedCoach> coaches)
        : IAsyncDisposable
    {
        public IsolatedCalendly Calendly => calendly;
        public IAlbaHost Host => host;
        public IReadOnlyList<ConnectedCoaches.ConnectedCoach> Coaches => coaches;

        public static async Task<World> StartAsync(int coaches, Dictionary<string, string>? settings = null)
        {
            var calendly = await IsolatedCalendly.StartAsync();
            var host = await calendly.StartAppAsync(settings);
            var connected = new List<ConnectedCoaches.ConnectedCoach>();
            for (var i = 0; i < coaches; i++) connected.Add(await ConnectedCoaches.ConnectAsync(host, calendly.Database, calendly.Simulator));
            return new World(calendly, host, connected);
        }

        public Task<AvailabilitySyncJob.RunResult> SyncAsync() =>
            AvailabilitySyncJob.RunOnceAsync(host.Services.GetRequiredService<FreeTimesSources>(), Options, CancellationToken.None);

        public Task<int> CallsAsync(string route) => calendly.Simulator.CountAsync(route);

        public async Task<SyncState> StateAsync(ConnectedCoaches.ConnectedCoach coach)
        {
            await using var db = await calendly.Database.OpenAsync();
            return await db.QuerySingleAsync<SyncState>("""
                select last_sync_at, next_sync_at, failed_sync_count, last_sync_error, scheduling_url, status
                from calendly_integrations where user_id = @UserId
                """, new { coach.UserId });
        }

        public async Task ExecuteAsync(string sql, object parameters)
        {
            await using var db = await calendly.Database.OpenAsync();
            await db.ExecuteAsync(sql, parameters);
        }

        public ValueTask DisposeAsync() => calendly.DisposeAsync();
    }

    [Test]
    public async Task One_run_syncs_every_connected_coach_asking_calendly_once_per_event_type()
    {
        await using var world = await World.StartAsync(coaches: 3);
        var before = DateTimeOffset.UtcNow;

        var run = await world.SyncAsync();

        await Assert.That(run.Synced).IsEqualTo(3);
        await Assert.That(run.Failed + run.Skipped).IsEqualTo(0);
        await Assert.That(await world.CallsAsync("GET /users/me")).IsEqualTo(3);
        await Assert.That(await world.CallsAsync("GET /event_types")).IsEqualTo(3);
        var eventTypes = world.Coaches.Sum(c => c.Account.EventTypes.Count);
        await Assert.That(await world.CallsAsync("GET /event_type_available_times")).IsEqualTo(eventTypes);
        foreach (var coach in world.Coaches)
        {
            var state = await world.StateAsync(coach);
            await Assert.That(state.LastSyncAt).IsNotNull().And.IsGreaterThanOrEqualTo(before.AddSeconds(-1));
            await Assert.That(state.NextSyncAt).IsNull();
            await Assert.That(state.FailedSyncCount).IsEqualTo(0);
            await using var db = await world.Calendly.Database.OpenAsync();
            var stored = (await db.QueryAsync<string>("""
                select data->>'eventTypeUri' from calendly_availability_cache
                where user_id = @UserId and created_at >= @Before and expires_at > now()
                """, new { coach.UserId, Before = before.AddSeconds(-1) })).Order().ToList();
            await Assert.That(stored).IsEquivalentTo(coach.Account.EventTypes.Order().ToList(), TUnit.Assertions.Enums.CollectionOrdering.Matching);
        }
    }

    [Test]
    public async Task A_second_run_soon_after_syncs_nobody_and_half_an_interval_later_the_coach_is_due_again()
    {
        await using var world = await World.StartAsync(coaches: 2);
        await world.SyncAsync();
        var calls = await world.CallsAsync("GET /users/me");

        var second = await world.SyncAsync();

        await Assert.That(second.Synced + second.Failed + second.Skipped).IsEqualTo(0);
        await Assert.That(await world.CallsAsync("GET /users/me")).IsEqualTo(calls);

        var aged = world.Coaches[0];
        await world.ExecuteAsync("update calendly_integrations set last_sync_at = now() - @Age where user_id = @UserId",
            new { Age = Options.Interval / 2, aged.UserId });
        var third = await world.SyncAsync();

        await Assert.That(third.Synced).IsEqualTo(1);
        await Assert.That(await world.CallsAsync("GET /users/me")).IsEqualTo(calls + 1);
    }

    [Test]
    public async Task A_coach_whose_calendly_is_down_backs_off_while_the_others_are_synced()
    {
        await using var world = await World.StartAsync(coaches: 3, NoRetries);
        var down = world.Coaches[1];
        await world.Calendly.Simulator.SetFaultsAsync(new { outage = true, user = down.Account.Uri });

        var run = await world.SyncAsync();

        await Assert.That(run.Synced).IsEqualTo(2);
        await Assert.That(run.Failed).IsEqualTo(1);
        var state = await world.StateAsync(down);
        await Assert.That(state.FailedSyncCount).IsEqualTo(1);
        await Assert.That(state.LastSyncError).IsNotNull();
        await Assert.That(state.LastSyncAt).IsNull();
        await Assert.That(state.NextSyncAt).IsNotNull().And.IsGreaterThan(DateTimeOffset.UtcNow.Add(Options.Interval / 2));
        foreach (var coach in world.Coaches.Where(c => c != down))
            await Assert.That((await world.StateAsync(coach)).LastSyncAt).IsNotNull();

        // Backing off: not due on the next run even though Calendly is back.
        await world.Calendly.Simulator.ClearFaultsAsync();
        var next = await world.SyncAsync();
        await Assert.That(next.Synced + next.Failed).IsEqualTo(0);

        await world.ExecuteAsync("update calendly_integrations set next_sync_at = now() where user_id = @UserId", new { down.UserId });
        var retry = await world.SyncAsync();
        await Assert.That(retry.Synced).IsEqualTo(1);
        state = await world.StateAsync(down);
        await Assert.That(state.FailedSyncCount).IsEqualTo(0);
        await Assert.That(state.LastSyncError).IsNull();
        await Assert.That(state.NextSyncAt).IsNull();
    }

    [Test]
    public async Task Free_times_that_cannot_be_fetched_fail_the_sync_and_the_cached_ones_stay()
    {
        await using var world = await World.StartAsync(coaches: 1, NoRetries);
        var coach = world.Coaches[0];
        var realtor = await SignedInAsync(world.Host, "realtor");
        await world.SyncAsync();
        await world.ExecuteAsync("update calendly_integrations set last_sync_at = now() - interval '1 hour' where user_id = @UserId",
            new { coach.UserId });
        await world.Calendly.Simulator.SetFaultsAsync(new { outage = true, user = coach.Account.Uri, endpoints = new[] { "/event_type_available_times" } });

        var run = await world.SyncAsync();

        await Assert.That(run.Failed).IsEqualTo(1);
        await Assert.That((await world.StateAsync(coach)).LastSyncError).IsNotNull();
        var calls = await world.CallsAsync("GET /event_type_available_times");
        var week = await realtor.GetAsync($"/coaches/{coach.UserId}/free-times");
        await Assert.That(week.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(await world.CallsAsync("GET /event_type_available_times")).IsEqualTo(calls);
    }

    [Test]
    public async Task Coaches_who_need_reconnecting_are_skipped_not_failed()
    {
        await using var world = await World.StartAsync(coaches: 3);
        var (marked, revoked) = (world.Coaches[0], world.Coaches[1]);
        await world.Host.Services.GetRequiredService<CalendlyTokens>().MarkNeedsReconnectAsync(marked.UserId, "test", CancellationToken.None);
        // The grant is gone on Calendly's side: the sync finds out when the token and its refresh are refused.
        var client = world.Host.Services.GetRequiredService<CalendlyClient>();
        await client.RevokeAsync(revoked.Tokens.AccessToken, CancellationToken.None);
        await client.RevokeAsync(revoked.Tokens.RefreshToken, CancellationToken.None);

        var run = await world.SyncAsync();

        await Assert.That(run.Synced).IsEqualTo(1);
        await Assert.That(run.Skipped).IsEqualTo(1);
        await Assert.That(run.Failed).IsEqualTo(0);
        foreach (var coach in new[] { marked, revoked })
        {
            var state = await world.StateAsync(coach);
            await Assert.That(state.Status).IsEqualTo("needs_reconnect");
            await Assert.That(state.LastSyncAt).IsNull();
            await Assert.That(state.FailedSyncCount).IsEqualTo(0);
            await Assert.That(state.NextSyncAt).IsNull();
        }
    }

    [Test]
    public async Task After_a_sync_a_realtors_week_and_its_json_are_served_without_asking_calendly()
    {
        await using var world = await World.StartAsync(coaches: 1);
        var coach = world.Coaches[0];
        var realtor = await SignedInAsync(world.Host, "realtor");
        // The cache keys start on the current quarter hour: stay within one.
        await OutsideQuarterHourBoundaryAsync();
        await world.SyncAsync();
        var calls = (Times: await world.CallsAsync("GET /event_type_available_times"), Types: await world.CallsAsync("GET /event_types"));

        var week = await realtor.GetAsync($"/coaches/{coach.UserId}/free-times");
        var today = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero);
        var json = await realtor.GetAsync(FreeTimesUrl(coach.Account.EventTypes[^1], today, today.AddDays(7)));

        await Assert.That(week.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(json.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That((await SlotsAsync(json)).Count).IsGreaterThan(0);
        await Assert.That(await world.CallsAsync("GET /event_type_available_times")).IsEqualTo(calls.Times);
        await Assert.That(await world.CallsAsync("GET /event_types")).IsEqualTo(calls.Types);
    }

    [Test]
    public async Task The_scheduling_url_is_updated_from_calendlys_profile()
    {
        await using var world = await World.StartAsync(coaches: 1);
        var coach = world.Coaches[0];
        await world.ExecuteAsync("update calendly_integrations set scheduling_url = 'https://calendly.example/old' where user_id = @UserId",
            new { coach.UserId });

        await world.SyncAsync();

        await Assert.That((await world.StateAsync(coach)).SchedulingUrl).IsEqualTo(coach.Account.SchedulingUrl);
    }

    [Test]
    public async Task The_worker_outlives_a_database_outage_and_logs_each_failed_run()
    {
        await using var world = await World.StartAsync(coaches: 0);
        // Nothing listens on port 1: every run fails to open a connection.
        await using var unreachable = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=app;Password=app;Timeout=1");
        var logs = new CapturedLogs();
        using var logging = LoggerFactory.Create(builder => builder.AddProvider(logs));
        var worker = new AvailabilitySyncWorker(world.Host.Services.GetRequiredService<FreeTimesSources>() with { Db = unreachable },
            Options with { Interval = TimeSpan.FromMilliseconds(200) }, TimeProvider.System, logging.CreateLogger<AvailabilitySyncWorker>());

        await worker.StartAsync(CancellationToken.None);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (logs.Lines.Count(l => l.Contains("AvailabilitySyncWorker run failed")) < 2 && waited.Elapsed < TimeSpan.FromSeconds(15))
            await Task.Delay(100);
        await worker.StopAsync(CancellationToken.None);

        await Assert.That(logs.Lines.Count(l => l.Contains("AvailabilitySyncWorker run failed"))).IsGreaterThanOrEqualTo(2);
        await Assert.That(worker.ExecuteTask!.IsFaulted).IsFalse();
    }

    [Test]
    public async Task The_backoff_doubles_from_the_interval_up_to_six_hours()
    {
        var interval = TimeSpan.FromMinutes(10);

        await Assert.That(AvailabilitySyncJob.Backoff(interval, 1)).IsEqualTo(interval);
        await Assert.That(AvailabilitySyncJob.Backoff(interval, 3)).IsEqualTo(TimeSpan.FromMinutes(40));
        await Assert.That(AvailabilitySyncJob.Backoff(interval, 50)).IsEqualTo(TimeSpan.FromHours(6));
    }

    private static async Task OutsideQuarterHourBoundaryAsync()
    {
        var intoQuarter = TimeSpan.FromTicks(DateTime.UtcNow.Ticks % TimeSpan.FromMinutes(15).Ticks);
        var left = TimeSpan.FromMinutes(15) - intoQuarter;
        if (left < TimeSpan.FromSeconds(30)) await Task.Delay(left + TimeSpan.FromSeconds(1));
    }
}
