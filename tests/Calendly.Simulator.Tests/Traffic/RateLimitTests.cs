using System.Net;
using Calendly.Simulator.Tests.Support;

namespace Calendly.Simulator.Tests.Traffic;

[ClassDataSource<SimulatorFixture>(Shared = SharedType.PerTestSession)]
public sealed class RateLimitTests(SimulatorFixture fixture)
{
    private TestSimulator Sim => fixture.Simulator;

    [Test]
    public async Task Every_api_answer_carries_the_rate_limit_headers_with_reset_in_seconds()
    {
        var paid = await Sim.NewAccountAsync();

        using var response = await paid.Api.GetAsync("/users/me");

        await Assert.That(Header(response, "X-RateLimit-Limit")).IsEqualTo(500);
        await Assert.That(Header(response, "X-RateLimit-Remaining")).IsEqualTo(499);
        await Assert.That(Header(response, "X-RateLimit-Reset")).IsBetween(1, 60);
    }

    [Test]
    public async Task A_free_plan_user_gets_429_after_50_requests_a_minute()
    {
        var free = await Sim.NewAccountAsync(plan: "free");
        for (var i = 0; i < 50; i++)
        {
            using var ok = await free.Api.GetAsync("/users/me");
            await Assert.That(ok.StatusCode).IsEqualTo(HttpStatusCode.OK);
        }

        using var limited = await free.Api.GetAsync("/users/me");

        await Assert.That((int)limited.StatusCode).IsEqualTo(429);
        await Assert.That(Header(limited, "X-RateLimit-Limit")).IsEqualTo(50);
        await Assert.That(Header(limited, "X-RateLimit-Remaining")).IsEqualTo(0);
        await Assert.That((await limited.JsonAsync()).Names()).Contains("title");
    }

    [Test]
    public async Task A_user_scoped_rate_limit_fault_limits_only_that_user()
    {
        var limited = await Sim.NewAccountAsync();
        var other = await Sim.NewAccountAsync();
        await Sim.PostJsonAsync("/_sim/faults", new { user = limited.UserUri, rateLimitPerMinute = 2 });

        using var first = await limited.Api.GetAsync("/users/me");
        using var second = await limited.Api.GetAsync("/users/me");
        using var third = await limited.Api.GetAsync("/users/me");
        using var unaffected = await other.Api.GetAsync("/users/me");

        await Assert.That(second.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That((int)third.StatusCode).IsEqualTo(429);
        await Assert.That(unaffected.StatusCode).IsEqualTo(HttpStatusCode.OK);
    }

    [Test]
    public async Task The_window_resets_after_a_minute_of_simulator_time()
    {
        await using var sim = await TestSimulator.StartAsync();
        var account = await sim.NewAccountAsync();
        await sim.PostJsonAsync("/_sim/faults", new { user = account.UserUri, rateLimitPerMinute = 1 });
        using var used = await account.Api.GetAsync("/users/me");
        using var limited = await account.Api.GetAsync("/users/me");

        await sim.PostJsonAsync("/_sim/clock", new { advanceSeconds = 61 });
        using var again = await account.Api.GetAsync("/users/me");

        await Assert.That((int)limited.StatusCode).IsEqualTo(429);
        await Assert.That(again.StatusCode).IsEqualTo(HttpStatusCode.OK);
    }

    [Test]
    public async Task A_global_limit_caps_all_users_together()
    {
        await using var sim = await TestSimulator.StartAsync(TestSimulator.DefaultSettings with { GlobalRequestsPerMinute = 3 });
        var one = await sim.NewAccountAsync();
        var two = await sim.NewAccountAsync();

        var statuses = new List<int>();
        foreach (var account in new[] { one, two, one, two })
        {
            using var response = await account.Api.GetAsync("/users/me");
            statuses.Add((int)response.StatusCode);
        }

        await Assert.That(statuses).IsEquivalentTo([200, 200, 200, 429], TUnit.Assertions.Enums.CollectionOrdering.Matching);
    }

    [Test]
    public async Task A_global_token_limit_caps_token_requests_of_all_users_together()
    {
        await using var sim = await TestSimulator.StartAsync(TestSimulator.DefaultSettings with { GlobalTokenRequestsPerMinute = 2 });
        var flow = new OAuthFlow(sim);
        var statuses = new List<int>();
        foreach (var account in new[] { await sim.NewAccountAsync(), await sim.NewAccountAsync(), await sim.NewAccountAsync() })
        {
            using var response = await flow.RefreshAsync(account.RefreshToken);
            statuses.Add((int)response.StatusCode);
        }

        await Assert.That(statuses).IsEquivalentTo([200, 200, 429], TUnit.Assertions.Enums.CollectionOrdering.Matching);
    }

    private static int Header(HttpResponseMessage response, string name) => int.Parse(response.Headers.GetValues(name).Single());
}
