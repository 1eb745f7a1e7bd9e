using App.Infrastructure.Database;
using ZiggyCreatures.Caching.Fusion;

namespace App.Infrastructure.Caching;

/// <summary>
/// FusionCache here is in-process only (its distributed packages are not served), so an eviction must reach every
/// instance: it is applied locally and announced with PostgreSQL's NOTIFY; <see cref="ClusterCacheEvictions"/> applies
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
/// Applies every instance's cache evictions here (<see cref="DatabaseNotificationListener"/>). NOTIFY is not queued for
/// a listener that is away, so after the connection was lost everything held here is treated as possibly stale:
/// entries are expired, not dropped, so a fail-safe read can still fall back on them while Calendly is down.
/// </summary>
public sealed class ClusterCacheEvictions(IFusionCache cache, ILogger<ClusterCacheEvictions> logger) : INotificationHandler
{
    public IReadOnlyCollection<string> Channels { get; } = [ClusterCache.Channel];

    public void Handle(string channel, string payload) => _ = cache.RemoveByTagAsync(payload).AsTask();

    public async Task ResumeAsync(CancellationToken ct)
    {
        await cache.ClearAsync(allowFailSafe: true, token: ct);
        logger.LogInformation("Listening for cache evictions again; what was cached here is treated as stale");
    }
}
