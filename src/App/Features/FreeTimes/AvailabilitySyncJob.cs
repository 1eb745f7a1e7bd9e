using System.Diagnostics;
using App.Infrastructure.Jobs;
using App.Infrastructure.Telemetry;

namespace App.Features.FreeTimes;

/// <summary>
/// Every interval (ten minutes by default), fetches each connected coach's free times for the coming days before
/// realtors ask, and their Calendly profile (Calendly sends no webhook when a user changes theirs).
/// </summary>
public sealed class AvailabilitySyncWorker(FreeTimesSources sources, AvailabilitySyncOptions options, TimeProvider clock,
    ILogger<AvailabilitySyncWorker> logger) : PeriodicJob(clock, sources.Metrics, logger)
{
    protected override bool Enabled => options.Enabled;
    protected override TimeSpan Interval => options.Interval;

    // Coaches claimed by a run that fails midway are due again once their lease ends.
    protected override async Task<string?> RunOnceAsync(CancellationToken ct)
    {
        var run = await AvailabilitySyncJob.RunOnceAsync(sources, options, ct);
        return $"{run.Synced} coaches synced, {run.Skipped} skipped (reconnect needed), {run.Failed} failed in {run.Duration}";
    }
}

/// <summary>
/// One run of the availability sync. A coach is due when never synced, when their last sync is at least half an
/// interval old (so each run takes everyone the previous run synced, even if that run took a while), or when the
/// backoff after a failure (next_sync_at) has passed. Instances share the work: each worker claims one due coach at a
/// time with FOR UPDATE SKIP LOCKED, setting next_sync_at as a lease, so a coach claimed by an instance that then dies
/// is due again when the lease ends.
/// </summary>
public static class AvailabilitySyncJob
{
    public sealed record RunResult(int Synced, int Skipped, int Failed, TimeSpan Duration);

    // Long enough for one coach's profile, event types and free times, each call with its retries.
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(6);
    private const int MaxErrorLength = 500;

    private sealed record ClaimedCoach(long UserId, string CalendlyUserUri, string TimeZone, DateTimeOffset? LastSyncAt, int FailedSyncCount);

    private const string ClaimSql = """
        with due as (
            select id from calendly_integrations
            where status = 'active'
              and (next_sync_at <= @RunStartedAt
                   or (next_sync_at is null and (last_sync_at is null or last_sync_at <= @SyncedBefore)))
            order by last_sync_at nulls first, id
            limit 1
            for update skip locked)
        update calendly_integrations i set next_sync_at = @LeaseUntil
        from due, users u
        where i.id = due.id and u.id = i.user_id
        returning i.user_id, i.calendly_user_uri, u.time_zone, i.last_sync_at, i.failed_sync_count
        """;

    private const string SyncedSql = """
        update calendly_integrations
        set scheduling_url = @SchedulingUrl, calendly_name = coalesce(@CalendlyName, calendly_name), calendly_email = @Email,
            last_sync_at = @Now, failed_sync_count = 0, last_sync_error = null, next_sync_at = null
        where user_id = @UserId
        """;

    private const string FailedSql = """
        update calendly_integrations
        set failed_sync_count = failed_sync_count + 1, last_sync_error = @Error, next_sync_at = @NextSyncAt
        where user_id = @UserId
        """;

    // The connection now needs reconnecting (or is gone): the claim will not pick it again until it is active.
    private const string SkippedSql = "update calendly_integrations set next_sync_at = null where user_id = @UserId";

    /// <summary>Syncs due coaches, <c>Concurrency</c> at a time, until none is left unclaimed.</summary>
    public static async Task<RunResult> RunOnceAsync(FreeTimesSources sources, AvailabilitySyncOptions options, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var runStartedAt = sources.Clock.GetUtcNow();
        var tally = new Tally(sources.Metrics);
        await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(async _ =>
        {
            // A coach handled in this run is no longer due (synced now, backing off, or not active), so the claims end.
            while (await ClaimAsync(sources, runStartedAt, options.Interval / 2, ct) is { } coach)
            {
                // How far behind the job is, failing coaches included (their lag keeps growing).
                if (coach.LastSyncAt is { } last) sources.Metrics.AvailabilitySyncLag(sources.Clock.GetUtcNow() - last);
                tally.Add(await SyncAsync(coach, sources, options, ct));
            }
        }));
        return new RunResult(tally.Synced, tally.Skipped, tally.Failed, Stopwatch.GetElapsedTime(started));
    }

    private static async Task<ClaimedCoach?> ClaimAsync(FreeTimesSources sources, DateTimeOffset runStartedAt, TimeSpan minAge,
        CancellationToken ct)
    {
        await using var connection = await sources.Db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<ClaimedCoach>(new CommandDefinition(ClaimSql, new
        {
            RunStartedAt = runStartedAt,
            SyncedBefore = runStartedAt - minAge,
            LeaseUntil = sources.Clock.GetUtcNow() + Lease,
        }, cancellationToken: ct));
    }

    private static async Task<Outcome> SyncAsync(ClaimedCoach coach, FreeTimesSources sources, AvailabilitySyncOptions options,
        CancellationToken ct)
    {
        try
        {
            var profile = await sources.Calendly.RunAsync(coach.UserId, (client, accessToken) => client.GetCurrentUserAsync(accessToken, ct), ct);
            var eventTypes = await EventTypeOwners.RefreshListAsync(new Coach(coach.UserId, coach.CalendlyUserUri), sources, ct);
            // The window realtors ask for most: the week grid's first page, from now to midnight after the last day,
            // which FreeTimesCache keys as (this quarter hour, that midnight). The viewer's zone sets that midnight;
            // realtors mostly book coaches near them, so the coach's zone is the one to bet on.
            var zone = WeekGrid.Zone(coach.TimeZone);
            var (start, end) = WeekGrid.Window(WeekGrid.Today(sources.Clock, zone), zone, options.Days);
            // One event type at a time: the coach's Calendly budget is shared with realtors asking right now.
            foreach (var eventType in eventTypes)
                await FreeTimesCache.RefreshAsync(coach.UserId, eventType.Uri, start, end, sources, ct);

            // The coach's name as realtors read it stays what Calendly calls them now.
            await ExecuteAsync(sources, SyncedSql, new
            {
                coach.UserId, profile.SchedulingUrl, CalendlyName = UserProvisioning.PersonName(profile.Name), profile.Email,
                Now = sources.Clock.GetUtcNow(),
            }, ct);
            return Outcome.Synced;
        }
        catch (CalendlyException e) when (e.Failure is CalendlyFailure.ReconnectRequired or CalendlyFailure.NotConnected)
        {
            await ExecuteAsync(sources, SkippedSql, new { coach.UserId }, ct);
            return Outcome.Skipped;
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is not NpgsqlException)
        {
            var failures = coach.FailedSyncCount + 1;
            var retryAt = sources.Clock.GetUtcNow() + Backoff(options.Interval, failures);
            sources.Loggers.CreateLogger(typeof(AvailabilitySyncJob)).LogWarning(e,
                "Availability sync of coach {UserId} failed ({Failures} in a row); next try at {RetryAt:u}", coach.UserId, failures, retryAt);
            var error = e.Message.Length > MaxErrorLength ? e.Message[..MaxErrorLength] : e.Message;
            await ExecuteAsync(sources, FailedSql, new { coach.UserId, Error = error, NextSyncAt = retryAt }, ct);
            return Outcome.Failed;
        }
    }

    /// <summary>One interval after the first failure, doubling with each further one, at most six hours.</summary>
    public static TimeSpan Backoff(TimeSpan interval, int failures)
    {
        var doublings = Math.Min(failures - 1, 20);
        var wait = interval * Math.Pow(2, doublings);
        return wait < MaxBackoff ? wait : MaxBackoff;
    }

    private static async Task ExecuteAsync(FreeTimesSources sources, string sql, object parameters, CancellationToken ct)
    {
        await using var connection = await sources.Db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql, parameters, cancellationToken: ct));
    }

    private enum Outcome { Synced, Skipped, Failed }

    private sealed class Tally(CalendlyMetrics metrics)
    {
        private readonly int[] _counts = new int[3];

        public int Synced => _counts[(int)Outcome.Synced];
        public int Skipped => _counts[(int)Outcome.Skipped];
        public int Failed => _counts[(int)Outcome.Failed];

        public void Add(Outcome outcome)
        {
            Interlocked.Increment(ref _counts[(int)outcome]);
            metrics.AvailabilitySync(outcome.ToString().ToLowerInvariant());
        }
    }
}
