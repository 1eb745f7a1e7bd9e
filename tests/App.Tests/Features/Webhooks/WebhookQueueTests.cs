using App.Features.Webhooks;
using App.Infrastructure.Caching;
using App.Infrastructure.Calendly;
using App.Infrastructure.Configuration;
using App.Infrastructure.Web;
using App.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace App.Tests.Features.Webhooks;

public sealed class WebhookQueueTests
{
    [Test]
    [Arguments(true, 100, 1, 30, 60)]
    [Arguments(true, 100, 1, 700, 1000)]
    [Arguments(false, 100, 1, 30, 0)]
    [Arguments(true, 40, 1, 30, 0)]
    [Arguments(true, 100, 12, 30, 0)]
    public async Task During_a_burst_the_processor_steps_aside_twice_as_long_as_its_batch_took(bool deliveriesArrived, int claimed,
        int oldestAgeSeconds, int batchMilliseconds, int pauseMilliseconds)
    {
        // The defaults, as a deployment without WEBHOOK_* settings reads them: batches of 100, a poll a second.
        var options = new WebhookOptions();
        options.Read(new SettingsReader(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build()));
        var batch = new WebhookProcessingJob.BatchRun(claimed, TimeSpan.FromSeconds(oldestAgeSeconds));

        var pause = WebhookProcessingWorker.YieldAfter(batch, TimeSpan.FromMilliseconds(batchMilliseconds), deliveriesArrived, options);

        // Not when nothing arrived meanwhile, when the batch was not full (the processor keeps up), or when its events
        // have waited ten seconds already.
        await Assert.That(pause).IsEqualTo(TimeSpan.FromMilliseconds(pauseMilliseconds));
    }

    [Test]
    public async Task Two_hosts_share_one_queue_and_apply_each_event_once()
    {
        await using var calendly = await IsolatedCalendly.StartAsync();
        var hosts = new[] { await calendly.StartAppAsync(), await calendly.StartAppAsync() };
        var coach = await ConnectedCoaches.ConnectAsync(hosts[0], calendly.Database, calendly.Simulator);
        var start = DateTimeOffset.UtcNow.AddDays(2);
        await using (var db = await calendly.Database.OpenAsync())
        {
            for (var i = 0; i < 60; i++)
                await StoreBookingAsync(db, calendly, coach, i, start.AddHours(i));
        }

        await Task.WhenAll(hosts.Select(async host =>
        {
            while (await RunOnceAsync(host) > 0)
            {
            }
        }));

        await using var check = await calendly.Database.OpenAsync();
        await Assert.That(await check.ExecuteScalarAsync<int>("select count(*) from sessions where coach_id = @UserId", new { coach.UserId })).IsEqualTo(60);
        await Assert.That(await check.ExecuteScalarAsync<int>("select count(*) from calendly_webhook_events where processed_at is null")).IsEqualTo(0);
        await Assert.That(await check.ExecuteScalarAsync<int>("select max(attempts) from calendly_webhook_events")).IsEqualTo(1);
    }

    [Test]
    public async Task A_bad_event_is_retried_alone_and_the_rest_of_its_batch_is_applied()
    {
        await using var calendly = await IsolatedCalendly.StartAsync();
        var host = await calendly.StartAppAsync();
        var coach = await ConnectedCoaches.ConnectAsync(host, calendly.Database, calendly.Simulator);
        var start = DateTimeOffset.UtcNow.AddDays(2);
        await using var db = await calendly.Database.OpenAsync();
        await StoreBookingAsync(db, calendly, coach, 0, start);
        // Hosted by the coach but without a start time: applying it fails.
        await StoreBookingAsync(db, calendly, coach, 1, null);
        await StoreBookingAsync(db, calendly, coach, 2, start.AddHours(2));

        // One pass claims all three as one batch; the failure sends it back to one event per transaction.
        await Assert.That(await RunOnceAsync(host)).IsEqualTo(3);

        var events = (await db.QueryAsync<(string Uri, DateTimeOffset? ProcessedAt, string? Error, int Attempts)>("""
            select payload->'payload'->>'uri', processed_at, error, attempts from calendly_webhook_events order by id
            """)).ToList();
        await Assert.That(events.Select(e => e.ProcessedAt is not null)).IsEquivalentTo([true, false, true]);
        await Assert.That(events[1].Error).IsNotNull();
        await Assert.That(events.Select(e => e.Attempts)).IsEquivalentTo([1, 1, 1]);
        var sessions = await db.QueryAsync<string>("select invitee_uri from sessions where coach_id = @UserId order by start_time", new { coach.UserId });
        await Assert.That(sessions).IsEquivalentTo([events[0].Uri, events[2].Uri]);
    }

    [Test]
    public async Task The_bookings_of_a_batch_are_applied_in_order_each_seeing_the_ones_before_it()
    {
        await using var calendly = await IsolatedCalendly.StartAsync();
        var host = await calendly.StartAppAsync();
        var coach = await ConnectedCoaches.ConnectAsync(host, calendly.Database, calendly.Simulator);
        await using var db = await calendly.Database.OpenAsync();
        var realtor = await db.QuerySingleAsync<(long Id, string BookingRef)>(
            "insert into users (external_id, email, role) values ('batch-realtor', 'batch-realtor@example.test', 'realtor') returning id, booking_ref");
        var start = DateTimeOffset.UtcNow.AddDays(2);
        var first = await StoreBookingAsync(db, calendly, coach, 0, start, tracking: realtor.BookingRef);
        // A reschedule of the first, by an invitee no realtor has the email of: its realtor is the first booking's.
        var moved = await StoreBookingAsync(db, calendly, coach, 1, start.AddHours(1), oldInvitee: first);
        // The first booking delivered again with a later time, in the same batch: the later one is what stays.
        await StoreBookingAsync(db, calendly, coach, 0, start.AddHours(3), createdAt: "2026-02-01T10:05:00.000000Z");

        await Assert.That(await RunOnceAsync(host)).IsEqualTo(3);

        var sessions = (await db.QueryAsync<(string Invitee, long? RealtorId, DateTimeOffset Start)>(
            "select invitee_uri, realtor_id, start_time from sessions where coach_id = @UserId order by invitee_uri", new { coach.UserId })).ToList();
        await Assert.That(sessions.Select(s => s.Invitee)).IsEquivalentTo([first, moved]);
        await Assert.That(sessions.Select(s => s.RealtorId)).IsEquivalentTo(new long?[] { realtor.Id, realtor.Id });
        await Assert.That(sessions[0].Start).IsEqualTo(DateTimeOffset.Parse(IsoTime.Microseconds(start.AddHours(3)), System.Globalization.CultureInfo.InvariantCulture));
        await Assert.That(await db.ExecuteScalarAsync<int>("select count(*) from calendly_webhook_events where processed_at is null or error is not null")).IsEqualTo(0);
    }

    [Test]
    public async Task An_event_whose_processor_crashed_midway_is_processed_exactly_once_after_its_claim_lapses()
    {
        // Its own database: no other test's processor may claim the event between the steps.
        await using var calendly = await IsolatedCalendly.StartAsync();
        var host = await calendly.StartAppAsync();
        var coach = await ConnectedCoaches.ConnectAsync(host, calendly.Database, calendly.Simulator);
        await using var db = await calendly.Database.OpenAsync();
        await StoreBookingAsync(db, calendly, coach, 0, DateTimeOffset.UtcNow.AddDays(2));
        const string sessionsSql = "select count(*) from sessions where coach_id = @UserId";

        // An instance claims the event and dies before applying it: the claim is all that happened.
        await db.ExecuteAsync("update calendly_webhook_events set attempts = attempts + 1, next_attempt_at = now() + interval '2 minutes'");
        await Assert.That(await RunOnceAsync(host)).IsEqualTo(0);
        await Assert.That(await db.ExecuteScalarAsync<int>(sessionsSql, new { coach.UserId })).IsEqualTo(0);

        // The claim lapses; the next run applies it, once.
        await db.ExecuteAsync("update calendly_webhook_events set next_attempt_at = now()");
        await Assert.That(await RunOnceAsync(host)).IsEqualTo(1);
        await Assert.That(await RunOnceAsync(host)).IsEqualTo(0);
        await Assert.That(await db.ExecuteScalarAsync<int>(sessionsSql, new { coach.UserId })).IsEqualTo(1);
        var state = await db.QuerySingleAsync<(int Attempts, bool Processed, string? Error)>(
            "select attempts, processed_at is not null, error from calendly_webhook_events");
        await Assert.That(state).IsEqualTo((2, true, (string?)null));
    }

    [Test]
    public async Task Events_claimed_when_the_database_went_away_are_applied_as_soon_as_it_answers_again()
    {
        // Its own database: the failure below is made by triggers no other test should meet.
        await using var calendly = await IsolatedCalendly.StartAsync();
        var host = await calendly.StartAppAsync();
        var coach = await ConnectedCoaches.ConnectAsync(host, calendly.Database, calendly.Simulator);
        await using var db = await calendly.Database.OpenAsync();
        for (var n = 0; n < 3; n++) await StoreBookingAsync(db, calendly, coach, n, DateTimeOffset.UtcNow.AddDays(2 + n));
        // The database goes away after the batch is claimed: applying it, and recording its failure, lose the connection.
        await db.ExecuteAsync("""
            create function lose_connection() returns trigger language plpgsql as $$
            begin perform pg_terminate_backend(pg_backend_pid()); return new; end $$;
            create trigger lose_on_apply before insert on sessions for each row execute function lose_connection();
            create trigger lose_on_record before update on calendly_webhook_events for each row
                when (new.error is not null or new.processed_at is not null) execute function lose_connection();
            """);
        var unfinished = new HashSet<long>();

        var interrupted = await RunOnceAsync(host, unfinished).ContinueWith(run => run.IsFaulted);
        await db.ExecuteAsync("drop trigger lose_on_apply on sessions; drop trigger lose_on_record on calendly_webhook_events");
        var claimed = await RunOnceAsync(host, unfinished);

        await Assert.That(interrupted).IsTrue();
        await Assert.That(claimed).IsEqualTo(3);
        await Assert.That(await db.ExecuteScalarAsync<int>("select count(*) from sessions where coach_id = @UserId", new { coach.UserId })).IsEqualTo(3);
        await Assert.That(await db.ExecuteScalarAsync<int>("select count(*) from calendly_webhook_events where processed_at is null")).IsEqualTo(0);
    }

    private static async Task<int> RunOnceAsync(Alba.IAlbaHost host, HashSet<long> unfinished) =>
        (await WebhookProcessingJob.RunOnceAsync(host.Services.GetRequiredService<NpgsqlDataSource>(), host.Services.GetRequiredService<ClusterCache>(),
            host.Services.GetRequiredService<WebhookOptions>(),
            host.Services.GetRequiredService<App.Infrastructure.Telemetry.CalendlyMetrics>(), NullLogger.Instance, CancellationToken.None, unfinished)).Claimed;

    private static async Task<int> RunOnceAsync(Alba.IAlbaHost host) =>
        (await WebhookProcessingJob.RunOnceAsync(host.Services.GetRequiredService<NpgsqlDataSource>(), host.Services.GetRequiredService<ClusterCache>(),
            host.Services.GetRequiredService<WebhookOptions>(),
            host.Services.GetRequiredService<App.Infrastructure.Telemetry.CalendlyMetrics>(), NullLogger.Instance, CancellationToken.None)).Claimed;

    /// <summary>Stores the n-th booking of the coach as a received invitee.created; without a start, one Calendly would never send.</summary>
    private static async Task<string> StoreBookingAsync(NpgsqlConnection db, IsolatedCalendly calendly, ConnectedCoaches.ConnectedCoach coach, int n,
        DateTimeOffset? start, string? tracking = null, string? oldInvitee = null, string createdAt = "2026-02-01T10:00:00.000000Z")
    {
        var baseUrl = calendly.Simulator.BaseUrl;
        var startTime = start is { } time ? $"\"start_time\":\"{IsoTime.Microseconds(time)}\"," : "";
        var end = IsoTime.Microseconds((start ?? DateTimeOffset.UtcNow).AddMinutes(30));
        var invitee = $"{baseUrl}/scheduled_events/E{n}/invitees/I{n}";
        var extras = (tracking is null ? "" : $"\"tracking\":{{\"utm_content\":\"{tracking}\"}},")
                     + (oldInvitee is null ? "" : $"\"old_invitee\":\"{oldInvitee}\",");
        var body = $$$$"""
            {"event":"invitee.created","created_at":"{{{{createdAt}}}}","payload":{"uri":"{{{{invitee}}}}",{{{{extras}}}}
             "email":"r{{{{n}}}}@example.test","name":"R {{{{n}}}}","status":"active",
             "scheduled_event":{"uri":"{{{{baseUrl}}}}/scheduled_events/E{{{{n}}}}","name":"Chat",{{{{startTime}}}}
               "end_time":"{{{{end}}}}","event_memberships":[{"user":"{{{{coach.Account.Uri}}}}"}]}}}
            """;
        await CalendlyWebhookEvents.StoreAsync(db, new("invitee.created", body,
            CalendlyWebhookEvents.DedupeKey("invitee.created", invitee, createdAt), coach.Account.Uri, null), CancellationToken.None);
        return invitee;
    }
}
