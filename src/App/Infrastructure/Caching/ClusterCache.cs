using ZiggyCreatures.Caching.Fusion;

namespace App.Infrastructure.Caching;

/// <summary>
/// FusionCache here is in-process only (its distributed packages are not served), so an eviction must reach every
/// instance: it is applied locally and announced with PostgreSQL's NOTIFY; <see cref="ClusterCacheListener"/> applies
/// the announcements of the other instances (and, harmlessly, its own).
/// </summary>
public sealed class ClusterCache(IFusionCache cache, NpgsqlDataSource db, ILogger<ClusterCache> logger)
{
    public const string Channel = "cache_evictions";

    public async Task EvictAsync(string tag, CancellationToken ct = default)
    {
        await cache.RemoveByTagAsync(tag, token: ct);
        try
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            await connection.ExecuteAsync(new CommandDefinition("select pg_notify(@Channel, @Tag)", new { Channel, Tag = tag }, cancellationToken: ct));
        }
        catch (NpgsqlException e)
        {
            // The local eviction stands; other instances catch up when their entries expire (minutes at most).
            logger.LogWarning("Could not announce the eviction of {Tag} to other instances: {Reason}", tag, e.Message);
        }
    }
}

/// <summary>
/// Listens for other instances' cache evictions and applies them here. NOTIFY is not queued for a listener that is
/// away, so after the connection is lost (a database restart, a network blip) the listener reconnects within a second
/// and treats everything it holds as possibly stale: entries are expired, not dropped, so a fail-safe read can still
/// fall back on them while Calendly is down.
/// </summary>
public sealed class ClusterCacheListener(NpgsqlDataSource db, IFusionCache cache, ILogger<ClusterCacheListener> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retry = FirstRetry;
        var listenedBefore = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await db.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) => _ = cache.RemoveByTagAsync(e.Payload).AsTask();
                await connection.ExecuteAsync($"listen {ClusterCache.Channel}");
                if (listenedBefore)
                {
                    await cache.ClearAsync(allowFailSafe: true, token: stoppingToken);
                    logger.LogInformation("Listening for cache evictions again; what was cached here is treated as stale");
                }
                listenedBefore = true;
                retry = FirstRetry;
                while (!stoppingToken.IsCancellationRequested) await connection.WaitAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Listening for cache evictions failed ({Reason}); trying again in {Retry}", e.Message, retry);
                await Task.Delay(retry, stoppingToken);
                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LongestRetry.Ticks));
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
