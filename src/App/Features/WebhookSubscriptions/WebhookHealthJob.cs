using System.Diagnostics;
using App.Infrastructure.Jobs;
using App.Infrastructure.Telemetry;

namespace App.Features.WebhookSubscriptions;

/// <summary>
/// Keeps every coach's Calendly webhook subscription working: Calendly disables a subscription silently after 24 hours
/// of failed deliveries, and a subscription can be deleted behind our back. Every interval (and soon after start) each
/// connection due for a check is verified, repaired, and back-filled with what it missed; coaches on a plan without
/// webhooks are polled instead. Several instances share the work through FOR UPDATE SKIP LOCKED claims.
/// </summary>
public sealed class WebhookHealthWorker(NpgsqlDataSource db, CalendlyCalls calls, HostingOptions hosting, WebhookHealthOptions options,
    CalendlyMetrics metrics, TimeProvider clock, ILogger<WebhookHealthWorker> logger) : PeriodicJob(clock, metrics, logger)
{
    protected override bool Enabled => options.Enabled;
    protected override TimeSpan Interval => options.Interval;

    // Soon after start, not at once: the first pass should not compete with the app's own startup.
    protected override TimeSpan FirstRunDelay => TimeSpan.FromSeconds(5);

    protected override async Task<string?> RunOnceAsync(CancellationToken ct)
    {
        var run = await WebhookHealthJob.RunOnceAsync(db, calls, hosting, options, Clock, logger, ct);
        return $"{run.Checked} checked, {run.Recreated} recreated, {run.Polled} polled, {run.Failed} failed, {run.Backfilled} events back-filled in {run.Duration}";
    }
}

public static class WebhookHealthJob
{
    public sealed record RunResult(int Checked, int Recreated, int Polled, int Failed, int Backfilled, TimeSpan Duration);

    private const int BatchSize = 100;

    /// <summary>
    /// Claims a batch by stamping webhook_checked_at, so neither this run nor another instance takes the same rows again
    /// within the interval (a failed check waits an interval too: Calendly is likely still failing).
    /// </summary>
    private const string ClaimSql = """
        update calendly_integrations set webhook_checked_at = now()
        where id in (
            select id from calendly_integrations
            where status = 'active'
              and (webhook_checked_at is null
                   or webhook_checked_at < now() - @Interval
                   or (webhook_state in ('missing', 'disabled') and webhook_checked_at < @RunStarted))
            order by webhook_checked_at nulls first
            limit @BatchSize
            for update skip locked)
        returning user_id
        """;

    public static async Task<RunResult> RunOnceAsync(NpgsqlDataSource db, CalendlyCalls calls, HostingOptions hosting,
        WebhookHealthOptions options, TimeProvider clock, ILogger logger, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        DateTimeOffset runStarted;
        // The database's clock, which the claim compares with: rows this run stamps are not claimed again by it.
        await using (var connection = await db.OpenConnectionAsync(ct))
            runStarted = await connection.ExecuteScalarAsync<DateTimeOffset>(new CommandDefinition("select now()", cancellationToken: ct));
        int checkedCount = 0, recreated = 0, polled = 0, failed = 0, backfilled = 0;
        while (true)
        {
            List<long> batch;
            await using (var connection = await db.OpenConnectionAsync(ct))
                batch = (await connection.QueryAsync<long>(new CommandDefinition(ClaimSql,
                    new { options.Interval, RunStarted = runStarted, BatchSize }, cancellationToken: ct))).AsList();
            if (batch.Count == 0) break;

            await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = ct },
                async (userId, token) =>
                {
                    try
                    {
                        if (await CalendlyWebhookSubscriptions.EnsureAsync(db, calls, hosting, userId, token) is not { } result) return;
                        Interlocked.Increment(ref checkedCount);
                        var poll = result.State == CalendlyWebhookSubscriptions.UnsupportedPlan;
                        if (result.Created) Interlocked.Increment(ref recreated);
                        if (poll) Interlocked.Increment(ref polled);
                        if (result.Created || poll)
                            Interlocked.Add(ref backfilled, await WebhookBackfill.RunAsync(db, calls, userId, result.CalendlyUserUri,
                                result.MissedSince, clock, token));
                    }
                    catch (Exception e) when (e is CalendlyException or NpgsqlException && !token.IsCancellationRequested)
                    {
                        // The row keeps its state; it is checked again next interval.
                        Interlocked.Increment(ref failed);
                        logger.LogWarning("Webhook subscription check for user {UserId} failed: {Reason}", userId, e.Message);
                    }
                });
        }
        return new RunResult(checkedCount, recreated, polled, failed, backfilled, Stopwatch.GetElapsedTime(started));
    }
}
