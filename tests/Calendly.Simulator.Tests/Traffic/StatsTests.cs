using Calendly.Simulator.Tests.Support;

namespace Calendly.Simulator.Tests.Traffic;

public sealed class StatsTests
{
    [Test]
    public async Task Stats_count_requests_by_route_template_and_status()
    {
        await using var sim = await TestSimulator.StartAsync();
        var account = await sim.NewAccountAsync();
        await account.Api.GetAsync("/users/me");
        await account.Api.GetAsync("/users/me");
        await account.Api.GetAsync($"/scheduled_events/{Guid.NewGuid()}");
        await sim.NewClient("bad-token").GetAsync("/users/me");

        var stats = await sim.Http.GetJsonAsync("/_sim/stats");

        await Assert.That(stats.GetProperty("GET /users/me").GetProperty("200").GetInt32()).IsEqualTo(2);
        await Assert.That(stats.GetProperty("GET /users/me").GetProperty("401").GetInt32()).IsEqualTo(1);
        await Assert.That(stats.GetProperty("GET /scheduled_events/{uuid}").GetProperty("404").GetInt32()).IsEqualTo(1);
        await Assert.That(stats.Names().Any(n => n.Contains("/_sim"))).IsFalse();
    }
}
