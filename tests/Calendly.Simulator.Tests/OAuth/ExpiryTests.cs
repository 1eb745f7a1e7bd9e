using System.Net;
using System.Net.Http.Json;
using Calendly.Simulator.Tests.Support;

namespace Calendly.Simulator.Tests.OAuth;

/// <summary>Expiry follows the simulator clock, so these tests move it, each on a simulator of its own.</summary>
public sealed class ExpiryTests
{
    [Test]
    public async Task An_access_token_past_its_lifetime_is_401_expired()
    {
        await using var sim = await TestSimulator.StartAsync();
        var account = await sim.NewAccountAsync();

        await sim.PostJsonAsync("/_sim/clock", new { advanceSeconds = 7201 });
        using var response = await account.Api.GetAsync("/users/me");
        var body = await response.JsonAsync();

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Unauthorized);
        await Assert.That(body.Text("title")).IsEqualTo("Unauthenticated");
        await Assert.That(body.Text("message")).IsEqualTo("The access token is expired");
    }

    [Test]
    public async Task A_token_lifetime_fault_shortens_new_tokens_of_that_user_only()
    {
        await using var sim = await TestSimulator.StartAsync();
        var shortLived = await sim.NewAccountAsync();
        var other = await sim.NewAccountAsync();
        await sim.PostJsonAsync("/_sim/faults", new { user = shortLived.UserUri, tokenTtlSeconds = 30 });

        var token = await sim.PostJsonAsync("/_sim/tokens", new { user = shortLived.UserUri });
        await sim.PostJsonAsync("/_sim/clock", new { advanceSeconds = 31 });
        using var expired = await sim.NewClient(token.Text("access_token")).GetAsync("/users/me");
        using var stillValid = await other.Api.GetAsync("/users/me");

        await Assert.That(token.GetProperty("expires_in").GetInt32()).IsEqualTo(30);
        await Assert.That(expired.StatusCode).IsEqualTo(HttpStatusCode.Unauthorized);
        await Assert.That(stillValid.StatusCode).IsEqualTo(HttpStatusCode.OK);
    }

    [Test]
    public async Task A_code_older_than_ten_minutes_is_invalid_grant()
    {
        await using var sim = await TestSimulator.StartAsync();
        var account = await sim.NewAccountAsync();
        var flow = new OAuthFlow(sim);
        var code = await flow.CodeForAsync(account.Uuid);

        await sim.PostJsonAsync("/_sim/clock", new { advanceSeconds = 601 });
        using var response = await flow.ExchangeAsync(code);

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That((await response.JsonAsync()).Text("error")).IsEqualTo("invalid_grant");
    }

    [Test]
    public async Task Tokens_from_the_configured_lifetime_expire_after_it()
    {
        await using var sim = await TestSimulator.StartAsync(TestSimulator.DefaultSettings with { TokenLifetime = TimeSpan.FromSeconds(5) });
        var account = await sim.NewAccountAsync();

        using var fresh = await account.Api.GetAsync("/users/me");
        await sim.Http.PostAsJsonAsync("/_sim/clock", new { advanceSeconds = 6 });
        using var stale = await account.Api.GetAsync("/users/me");

        await Assert.That(fresh.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(stale.StatusCode).IsEqualTo(HttpStatusCode.Unauthorized);
    }
}
