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

/// <summary>Listens for other instances' cache evictions and applies them here; reconnects after a database outage.</summary>
public sealed class ClusterCacheListener(NpgsqlDataSource db, IFusionCache cache, ILogger<ClusterCacheListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await db.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) => _ = cache.RemoveByTagAsync(e.Payload).AsTask();
                await connection.ExecuteAsync($"listen {ClusterCache.Channel}");
                while (!stoppingToken.IsCancellationRequested) await connection.WaitAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Listening for cache evictions failed ({Reason}); trying again in 5 s", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
