using System.Diagnostics;
using App.Infrastructure.Jobs;
using App.Infrastructure.Telemetry;

namespace App.Features.TokenRefresh;

/// <summary>
/// Refreshes every Calendly connection whose access token expires within the window, every interval (hourly by
/// default), so that coaches' tokens are fresh before anyone needs them. Several instances share the work: each claims
/// a batch with FOR UPDATE SKIP LOCKED and a short lease, and each refresh re-checks under its row lock.
/// </summary>
public sealed class TokenRefreshWorker(NpgsqlDataSource db, CalendlyTokens tokens, TokenRefreshOptions options, CalendlyMetrics metrics,
    TimeProvider clock, ILogger<TokenRefreshWorker> logger) : PeriodicJob(clock, metrics, logger)
{
    protected override bool Enabled => options.Enabled;
    protected override TimeSpan Interval => options.Interval;

    protected override async Task<string?> RunOnceAsync(CancellationToken ct)
    {
        var run = await TokenRefreshJob.RunOnceAsync(db, tokens, options, Clock, ct);
        return $"{run.Refreshed} refreshed, {run.Skipped} already fresh, {run.Failed} failed in {run.Duration}";
    }
}

public static class TokenRefreshJob
{
    public sealed record RunResult(int Refreshed, int Skipped, int Failed, TimeSpan Duration);

    // Long enough for one batch to be refreshed; a claim that outlives a crashed instance expires by itself.
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    private const string ClaimSql = """
        update calendly_integrations set refresh_lease_until = now() + @Lease
        where id in (
            select id from calendly_integrations
            where status = 'active'
              and expires_at < @ExpiringBefore
              and (next_refresh_at is null or next_refresh_at <= now())
              and (refresh_lease_until is null or refresh_lease_until < now())
              -- Not one this run has already refreshed (its new token may still be within the window, or due again):
              -- a lease on it would hold it, unrefreshed, for the whole lease.
              and user_id <> all(@Seen)
            order by expires_at
            limit @BatchSize
            for update skip locked)
        returning user_id
        """;

    /// <summary>Claims and refreshes batches until no expiring integration is left unclaimed.</summary>
    public static async Task<RunResult> RunOnceAsync(NpgsqlDataSource db, CalendlyTokens tokens, TokenRefreshOptions options,
        TimeProvider clock, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var expiringBefore = clock.GetUtcNow() + options.Window;
        var tally = new Tally();
        var seen = new HashSet<long>();
        while (true)
        {
            IReadOnlyList<long> batch;
            await using (var connection = await db.OpenConnectionAsync(ct))
                batch = (await connection.QueryAsync<long>(new CommandDefinition(ClaimSql,
                    new { Lease, ExpiringBefore = expiringBefore, options.BatchSize, Seen = seen.ToArray() }, cancellationToken: ct))).AsList();
            var fresh = batch.Where(seen.Add).ToList();
            if (fresh.Count == 0) break;

            await Parallel.ForEachAsync(fresh, new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = ct },
                async (userId, token) =>
                {
                    try
                    {
                        var (_, outcome) = await tokens.RefreshWithOutcomeAsync(userId, CalendlyTokens.RefreshTrigger.Expiring(expiringBefore), token);
                        tally.Add(outcome == CalendlyTokens.RefreshOutcome.Refreshed ? "refreshed" : "skipped");
                    }
                    catch (CalendlyException)
                    {
                        // Already recorded on the row (backoff or needs_reconnect) and logged by CalendlyTokens.
                        tally.Add("failed");
                    }
                });
        }
        return new RunResult(tally.Of("refreshed"), tally.Of("skipped"), tally.Of("failed"), Stopwatch.GetElapsedTime(started));
    }

    // For the run's log line; each refresh is counted in the metrics where it happens (CalendlyTokens).
    private sealed class Tally
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _counts = new();

        public void Add(string outcome) => _counts.AddOrUpdate(outcome, 1, (_, n) => n + 1);

        public int Of(string outcome) => _counts.GetValueOrDefault(outcome);
    }
}
