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
        await Task.Delay(200); // the listeners subscribe when their hosts start

        await first.Services.GetRequiredService<ClusterCache>().EvictAsync(tag);

        string? value = "warm";
        for (var deadline = DateTime.UtcNow.AddSeconds(10); value is not null && DateTime.UtcNow < deadline; await Task.Delay(50))
            value = await secondCache.GetOrDefaultAsync<string>("cached-answer");
        await Assert.That(value).IsNull();
    }
}
