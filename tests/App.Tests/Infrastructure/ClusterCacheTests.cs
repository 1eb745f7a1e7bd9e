using App.Infrastructure.Caching;
using App.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using ZiggyCreatures.Caching.Fusion;

namespace App.Tests.Infrastructure;

public sealed class ClusterCacheTests
{
    [Test]
    public async Task An_eviction_on_one_instance_reaches_the_others()
    {
        await using var calendly = await IsolatedCalendly.StartAsync();
        var first = await calendly.StartAppAsync();
        var second = await calendly.StartAppAsync();
        var secondCache = second.Services.GetRequiredService<IFusionCache>();
        var tag = $"free-times:coach:{Guid.NewGuid():N}";
        await secondCache.SetAsync("cached-answer", "warm", tags: [tag]);
        await ListeningAsync(calendly, instances: 2); // the listeners subscribe when their hosts start

        await first.Services.GetRequiredService<ClusterCache>().EvictAsync(tag);

        string? value = "warm";
        for (var deadline = DateTime.UtcNow.AddSeconds(10); value is not null && DateTime.UtcNow < deadline; await Task.Delay(50))
            value = await secondCache.GetOrDefaultAsync<string>("cached-answer");
        await Assert.That(value).IsNull();
    }

    [Test]
    public async Task After_its_connection_drops_an_instance_treats_what_it_cached_as_stale_and_hears_evictions_again_within_seconds()
    {
        await using var calendly = await IsolatedCalendly.StartAsync();
        var (proxy, throughProxy) = TcpProxy.InFrontOf(calendly.Database.ConnectionString);
        await using var _ = proxy;
        await using var listening = await AppHost.StartAsync(throughProxy, calendly.Simulator.AppSettings().WithDeployedDatabaseTimeouts());
        var other = await calendly.StartAppAsync();
        var cache = listening.Services.GetRequiredService<IFusionCache>();
        var missedTag = $"free-times:coach:{Guid.NewGuid():N}";
        await cache.SetAsync("missed", "booked slot still on offer", tags: [missedTag]);

        // A short database restart as this instance sees it: its connections drop, and the other instance's eviction
        // is announced while it is not listening, so it never hears it.
        proxy.Cut();
        await other.Services.GetRequiredService<ClusterCache>().EvictAsync(missedTag);
        proxy.Open();

        string? missed = "booked slot still on offer";
        for (var deadline = DateTime.UtcNow.AddSeconds(3); missed is not null && DateTime.UtcNow < deadline; await Task.Delay(50))
            missed = await cache.GetOrDefaultAsync<string>("missed");
        await Assert.That(missed).IsNull();

        // And it listens again: a later eviction arrives as usual.
        var laterTag = $"free-times:coach:{Guid.NewGuid():N}";
        await cache.SetAsync("later", "warm", tags: [laterTag]);
        await other.Services.GetRequiredService<ClusterCache>().EvictAsync(laterTag);
        string? later = "warm";
        for (var deadline = DateTime.UtcNow.AddSeconds(5); later is not null && DateTime.UtcNow < deadline; await Task.Delay(50))
            later = await cache.GetOrDefaultAsync<string>("later");
        await Assert.That(later).IsNull();
    }

    /// <summary>Until this many instances' listeners have subscribed, as PostgreSQL itself reports their sessions.</summary>
    private static async Task ListeningAsync(IsolatedCalendly calendly, int instances)
    {
        await using var db = await calendly.Database.OpenAsync();
        for (var deadline = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < deadline; await Task.Delay(20))
            if (await Dapper.SqlMapper.ExecuteScalarAsync<int>(db, """
                    select count(*) from pg_stat_activity where datname = current_database() and query like '%listen cache_evictions%'
                    """) >= instances)
                return;
        throw new TimeoutException($"{instances} cache eviction listeners did not subscribe.");
    }
}
