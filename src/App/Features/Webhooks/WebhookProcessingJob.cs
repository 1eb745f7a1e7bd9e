using System.Diagnostics;
using System.Text.Json;
using App.Infrastructure.Caching;
using App.Infrastructure.Jobs;
using App.Infrastructure.Telemetry;

namespace App.Features.Webhooks;

/// <summary>
/// Applies stored webhook events, oldest first, as soon as this instance stores them and at least every
/// WEBHOOK_POLL_MILLISECONDS (events stored by other instances, retries), and purges old processed ones hourly.
/// Instances share the work: each claims a batch with FOR UPDATE SKIP LOCKED and pushes the claimed events'
/// next_attempt_at forward, so nobody else takes them while they are handled. A failure is retried with exponential
/// backoff; after WEBHOOK_MAX_ATTEMPTS the event is parked for an operator (/admin/webhooks or GET /api/admin/webhooks,
/// then replay).
/// </summary>
public sealed class WebhookProcessingWorker(NpgsqlDataSource db, ClusterCache cache, WebhookBatchWriter arrivals, WebhookOptions options,
    CalendlyMetrics metrics, TimeProvider clock, ILogger<WebhookProcessingWorker> logger) : PeriodicJob(clock, metrics, logger)
{
    private static readonly TimeSpan PurgeInterval = TimeSpan.FromHours(1);
    private DateTimeOffset _nextPurge = DateTimeOffset.MinValue;

    // Claimed when the database went away; released by the next run that reaches it.
    private readonly HashSet<long> _unfinished = [];

    protected override bool Enabled => options.ProcessingEnabled;
    protected override TimeSpan Interval => options.PollInterval;

    // A poll a second would be a trace a second: each claimed batch is one instead (WebhookProcessingJob).
    protected override bool TracesRuns => false;

    // Until the poll interval has passed, or sooner when this instance has stored new events.
    protected override async Task<bool> WaitForNextRunAsync(CancellationToken ct)
    {
        await arrivals.WaitForNewEventsAsync(options.PollInterval, ct);
        return true;
    }

    // Past this age the processor no longer steps aside, however fast deliveries keep arriving: the backlog is applied
    // at full speed, so a sustained flood delays its events by about this much, not by ever more.
    private static readonly TimeSpan MostYieldedLag = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long to step aside after <paramref name="batch"/>, which took <paramref name="batchTook"/>. Only when deliveries
    /// kept arriving while it was applied and it was a full batch (a backlog, not a steady trickle that the processor
    /// keeps up with): acknowledging deliveries is what Calendly waits for (an unanswered one is retried and, after
    /// enough failures, the subscription disabled), and applying them can wait a little. So the processor waits
    /// YieldFactor times as long as the batch took, never longer than a poll, while the batch's oldest event is younger
    /// than <see cref="MostYieldedLag"/>. During a burst it takes about 1 / (1 + YieldFactor) of the time (measured in
    /// BENCHMARKS.md), and all of it once deliveries stop.
    /// </summary>
    public static TimeSpan YieldAfter(WebhookProcessingJob.BatchRun batch, TimeSpan batchTook, bool deliveriesArrived, WebhookOptions options) =>
        deliveriesArrived && batch.Claimed >= options.BatchSize && batch.OldestAge < MostYieldedLag
            ? TimeSpan.FromTicks(Math.Min((batchTook * options.YieldFactor).Ticks, options.PollInterval.Ticks))
            : TimeSpan.Zero;

    protected override async Task<string?> RunOnceAsync(CancellationToken ct)
    {
        var purged = 0;
        if (Clock.GetUtcNow() >= _nextPurge)
        {
            purged = await WebhookProcessingJob.PurgeAsync(db, options.Retention, ct);
            _nextPurge = Clock.GetUtcNow() + PurgeInterval;
        }
        var handled = 0;
        while (true)
        {
            var storedBefore = arrivals.BatchesStored;
            var started = Stopwatch.GetTimestamp();
            var batch = await WebhookProcessingJob.RunOnceAsync(db, cache, options, Metrics, logger, ct, _unfinished);
            if (batch.Claimed == 0) break;
            handled += batch.Claimed;
            var pause = YieldAfter(batch, Stopwatch.GetElapsedTime(started), arrivals.BatchesStored != storedBefore, options);
            if (pause > TimeSpan.Zero) await Task.Delay(pause, Clock, ct);
        }
        // Polls that find nothing stay out of the log, which would otherwise get a line a second.
        return handled + purged == 0 ? null : $"{handled} events handled, {purged} processed events older than {options.Retention} purged";
    }
}

public static class WebhookProcessingJob
{
    // Long enough to handle a batch; a claim that outlives a crashed instance expires by itself.
    private static readonly TimeSpan ClaimLease = TimeSpan.FromMinutes(2);

    /// <summary>What one run claimed: how many events, and how long ago the oldest of them arrived.</summary>
    public readonly record struct BatchRun(int Claimed, TimeSpan OldestAge);

    private sealed record ClaimedEvent(long Id, string EventType, string Payload, int Attempts, double AgeSeconds);

    private const string ClaimSql = """
        with due as (
            select id from calendly_webhook_events
            where processed_at is null and parked_at is null and next_attempt_at <= now()
            order by next_attempt_at, id
            limit @BatchSize
            for update skip locked)
        update calendly_webhook_events e
        set attempts = e.attempts + 1, next_attempt_at = now() + @ClaimLease
        from due where e.id = due.id
        returning e.id, e.event_type, e.payload::text as payload, e.attempts, extract(epoch from now() - e.received_at)::float8 as age_seconds
        """;

    // The applied events are done (with a note when kept but not acted on); their coaches have live webhooks.
    private const string AppliedSql = """
        with done as (
            update calendly_webhook_events e set processed_at = clock_timestamp(), error = a.note
            from unnest(@Ids, @Notes) as a(id, note)
            where e.id = a.id)
        update calendly_integrations set last_webhook_at = now() where user_id = any(@CoachIds)
        """;

    // Events this instance claimed and could not finish are due again at once; processed, parked or
    // re-claimed ones are left alone.
    private const string ReleaseSql = """
        update calendly_webhook_events set next_attempt_at = now()
        where id = any(@Ids) and processed_at is null and parked_at is null
        """;

    /// <summary>
    /// Claims and applies one batch; returns how many events it claimed, and the age of the oldest. <paramref name="unfinished"/> carries, from one
    /// run to the next, the events of a batch that this instance claimed when the database went away: they are released
    /// as soon as the database answers again, instead of waiting out the claim's lease.
    /// </summary>
    public static async Task<BatchRun> RunOnceAsync(NpgsqlDataSource db, ClusterCache cache, WebhookOptions options, CalendlyMetrics metrics,
        ILogger logger, CancellationToken ct, HashSet<long>? unfinished = null)
    {
        if (unfinished is { Count: > 0 })
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            await connection.ExecuteAsync(new CommandDefinition(ReleaseSql, new { Ids = unfinished.ToArray() }, cancellationToken: ct));
            unfinished.Clear();
        }
        List<ClaimedEvent> batch;
        await using (var connection = await db.OpenConnectionAsync(ct))
            batch = (await connection.QueryAsync<ClaimedEvent>(new CommandDefinition(ClaimSql, new { options.BatchSize, ClaimLease }, cancellationToken: ct))).AsList();
        if (batch.Count == 0) return default;
        var claimedAt = Stopwatch.GetTimestamp();
        using var trace = TelemetrySetup.Source.StartActivity("webhook batch");
        trace?.SetTag("calendly.webhook.events", batch.Count);

        // The whole batch in one transaction and one commit. An event that fails takes the batch down with it, so the
        // batch is then applied again one event per transaction: only the failing event is retried.
        var evictions = new HashSet<string>();
        try
        {
            await ApplyAsync(db, batch, evictions, ct);
            Applied(metrics, batch, claimedAt);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            unfinished?.UnionWith(batch.Select(claimed => claimed.Id));
            foreach (var claimed in batch)
            {
                try
                {
                    await ApplyAsync(db, [claimed], evictions, ct);
                    Applied(metrics, [claimed], claimedAt);
                }
                catch (Exception failure) when (failure is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    await RecordFailureAsync(db, claimed, failure, options, metrics, logger);
                }
                // Applied, or its failure recorded with its own backoff: this one is finished either way.
                unfinished?.Remove(claimed.Id);
            }
        }
        // Once per coach for the whole batch: a burst of bookings for one coach evicts their free times once.
        foreach (var tag in evictions) await cache.EvictAsync(tag, ct);
        return new BatchRun(batch.Count, TimeSpan.FromSeconds(batch.Max(claimed => claimed.AgeSeconds)));
    }

    // From arrival to commit: the age when claimed plus the time the batch took since.
    private static void Applied(CalendlyMetrics metrics, IReadOnlyList<ClaimedEvent> events, long claimedAt)
    {
        var since = Stopwatch.GetElapsedTime(claimedAt);
        foreach (var applied in events) metrics.WebhookApplied(TimeSpan.FromSeconds(applied.AgeSeconds) + since);
        metrics.WebhookEvents("applied", events.Count);
    }

    private const string CoachesSql = """
        select calendly_user_uri, user_id from calendly_integrations where calendly_user_uri = any(@Uris)
        """;

    /// <summary>
    /// Applies the events in one transaction: their coaches found with one query, their effects and the batch's
    /// bookkeeping sent as one command. Adds the cache tags to evict once it has committed.
    /// </summary>
    private static async Task ApplyAsync(NpgsqlDataSource db, IReadOnlyList<ClaimedEvent> events, HashSet<string> evictions, CancellationToken ct)
    {
        var payloads = new List<JsonDocument>(events.Count);
        try
        {
            foreach (var claimed in events) payloads.Add(JsonDocument.Parse(claimed.Payload));
            await using var connection = await db.OpenConnectionAsync(ct);
            await using var transaction = await connection.BeginTransactionAsync(ct);

            var users = payloads.SelectMany(payload => WebhookEffects.UsersOf(payload.RootElement)).Distinct().ToArray();
            var coachesByUri = users.ToDictionary(uri => uri, long? (_) => null);
            foreach (var (uri, coachId) in await connection.QueryAsync<(string, long)>(
                         new CommandDefinition(CoachesSql, new { Uris = users }, transaction, cancellationToken: ct)))
                coachesByUri[uri] = coachId;

            var writes = new WebhookEffects.Writes();
            var applied = new List<(long Id, string? Note)>(events.Count);
            var coachIds = new HashSet<long>();
            var tags = new List<string>();
            foreach (var (claimed, payload) in events.Zip(payloads))
            {
                var outcome = WebhookEffects.Apply(claimed.EventType, payload.RootElement, coachesByUri, writes);
                applied.Add((claimed.Id, outcome.Note));
                foreach (var coachId in outcome.CoachIds)
                {
                    coachIds.Add(coachId);
                    tags.Add(CacheTags.FreeTimesOfCoach(coachId));
                    if (claimed.EventType.StartsWith("event_type.", StringComparison.Ordinal)) tags.Add(CacheTags.CoachProfile(coachId));
                }
            }
            writes.Add(AppliedSql, new
            {
                Ids = applied.Select(a => a.Id).ToArray(),
                Notes = applied.Select(a => a.Note).ToArray(),
                CoachIds = coachIds.ToArray(),
            });
            await writes.ExecuteAsync(connection, transaction, ct);
            await transaction.CommitAsync(ct);
            evictions.UnionWith(tags);
        }
        finally
        {
            foreach (var payload in payloads) payload.Dispose();
        }
    }

    /// <summary>Payloads hold invitees' personal data: processed events are kept only as long as the retention setting says.</summary>
    public static async Task<int> PurgeAsync(NpgsqlDataSource db, TimeSpan retention, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(
            "delete from calendly_webhook_events where processed_at < now() - @Retention", new { Retention = retention }, cancellationToken: ct));
    }

    private static async Task RecordFailureAsync(NpgsqlDataSource db, ClaimedEvent claimed, Exception e, WebhookOptions options,
        CalendlyMetrics metrics, ILogger logger)
    {
        var park = claimed.Attempts >= options.MaxAttempts;
        var backoff = TimeSpan.FromTicks(options.RetryBaseDelay.Ticks * (1L << Math.Min(claimed.Attempts - 1, 16)));
        const string sql = """
            update calendly_webhook_events
            set error = @Error, next_attempt_at = now() + @Backoff, parked_at = case when @Park then now() else null end
            where id = @Id
            """;
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync(sql, new { claimed.Id, Error = e.Message, Backoff = backoff, Park = park });
        metrics.WebhookEvents(park ? "parked" : "failed", 1);
        logger.LogWarning("Webhook event {Id} ({EventType}) failed on attempt {Attempt}{Parked}: {Reason}", claimed.Id, claimed.EventType,
            claimed.Attempts, park ? " and is parked" : "", e.Message);
    }
}
