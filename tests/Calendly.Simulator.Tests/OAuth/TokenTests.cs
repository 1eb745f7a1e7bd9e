using System.Net;
using Calendly.Simulator.OAuth;
using Calendly.Simulator.Tests.Support;

namespace Calendly.Simulator.Tests.OAuth;

[ClassDataSource<SimulatorFixture>(Shared = SharedType.PerTestSession)]
public sealed class TokenTests(SimulatorFixture fixture)
{
    private TestSimulator Sim => fixture.Simulator;

    [Test]
    public async Task A_code_with_the_right_verifier_buys_Calendlys_token_response()
    {
        var account = await Sim.NewAccountAsync();
        var flow = new OAuthFlow(Sim);

        using var response = await flow.ExchangeAsync(await flow.CodeForAsync(account.Uuid));
        var token = await response.JsonAsync();

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(token.Names()).IsEquivalentTo(
            ["access_token", "refresh_token", "token_type", "scope", "expires_in", "created_at", "owner", "organization"]);
        await Assert.That(token.Text("token_type")).IsEqualTo("Bearer");
        await Assert.That(token.GetProperty("expires_in").GetInt32()).IsEqualTo(7200);
        await Assert.That(token.GetProperty("created_at").GetInt64()).IsGreaterThan(1_600_000_000);
        await Assert.That(token.Text("owner")).IsEqualTo(account.UserUri);
        await Assert.That(token.Text("organization")).IsEqualTo(account.OrganizationUri);
        await Assert.That(token.Text("access_token").Length).IsGreaterThanOrEqualTo(64);
        var me = await Sim.NewClient(token.Text("access_token")).GetJsonAsync("/users/me");
        await Assert.That(me.GetProperty("resource").Text("uri")).IsEqualTo(account.UserUri);
    }

    [Test]
    public async Task A_wrong_or_missing_verifier_is_refused()
    {
        var account = await Sim.NewAccountAsync();
        var flow = new OAuthFlow(Sim);

        using var wrong = await flow.ExchangeAsync(await flow.CodeForAsync(account.Uuid), verifier: "another-verifier-of-sufficient-length-0123456789");
        using var missing = await flow.ExchangeAsync(await flow.CodeForAsync(account.Uuid), verifier: null);

        await Assert.That(wrong.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That((await wrong.JsonAsync()).Text("error")).IsEqualTo("invalid_grant");
        await Assert.That(missing.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That((await missing.JsonAsync()).Text("error")).IsEqualTo("invalid_request");
    }

    [Test]
    public async Task A_reused_code_is_invalid_grant_and_revokes_the_tokens_it_bought()
    {
        var account = await Sim.NewAccountAsync();
        var flow = new OAuthFlow(Sim);
        var code = await flow.CodeForAsync(account.Uuid);
        using var first = await flow.ExchangeAsync(code);
        var accessToken = (await first.JsonAsync()).Text("access_token");

        using var second = await flow.ExchangeAsync(code);
        var body = await second.JsonAsync();

        await Assert.That(second.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(body.Names()).IsEquivalentTo(["error", "error_description"]);
        await Assert.That(body.Text("error")).IsEqualTo("invalid_grant");
        using var me = await Sim.NewClient(accessToken).GetAsync("/users/me");
        await Assert.That(me.StatusCode).IsEqualTo(HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task A_redirect_uri_other_than_the_authorized_one_is_invalid_grant()
    {
        var account = await Sim.NewAccountAsync();
        var flow = new OAuthFlow(Sim);

        using var response = await flow.ExchangeAsync(await flow.CodeForAsync(account.Uuid), redirectUri: "http://localhost:5080/elsewhere");

        await Assert.That((await response.JsonAsync()).Text("error")).IsEqualTo("invalid_grant");
    }

    [Test]
    public async Task Refresh_tokens_rotate_and_a_used_one_is_dead()
    {
        var account = await Sim.NewAccountAsync();
        var flow = new OAuthFlow(Sim);

        using var refreshed = await flow.RefreshAsync(account.RefreshToken);
        var next = await refreshed.JsonAsync();
        using var reused = await flow.RefreshAsync(account.RefreshToken);
        using var chained = await flow.RefreshAsync(next.Text("refresh_token"));

        await Assert.That(refreshed.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(next.Text("refresh_token")).IsNotEqualTo(account.RefreshToken);
        await Assert.That(reused.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That((await reused.JsonAsync()).Text("error")).IsEqualTo("invalid_grant");
        await Assert.That(chained.StatusCode).IsEqualTo(HttpStatusCode.OK);
    }

    [Test]
    public async Task Clients_authenticate_with_basic_auth_a_form_body_or_a_json_body()
    {
        var account = await Sim.NewAccountAsync();
        var flow = new OAuthFlow(Sim);

        using var basic = await Sim.Http.SendAsync(OAuthFlow.RefreshWithBasicAuth(account.RefreshToken, OAuthFlow.Client.ClientSecret));
        using var form = await flow.RefreshAsync((await basic.JsonAsync()).Text("refresh_token"));
        using var json = await Sim.Http.SendAsync(OAuthFlow.RefreshWithJsonBody((await form.JsonAsync()).Text("refresh_token"), OAuthFlow.Client.ClientSecret));

        await Assert.That(basic.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(form.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(json.StatusCode).IsEqualTo(HttpStatusCode.OK);
    }

    [Test]
    public async Task A_wrong_client_secret_is_401_invalid_client_in_every_form()
    {
        var account = await Sim.NewAccountAsync();

        using var basic = await Sim.Http.SendAsync(OAuthFlow.RefreshWithBasicAuth(account.RefreshToken, "wrong"));
        using var json = await Sim.Http.SendAsync(OAuthFlow.RefreshWithJsonBody(account.RefreshToken, "wrong"));

        await Assert.That(basic.StatusCode).IsEqualTo(HttpStatusCode.Unauthorized);
        await Assert.That((await basic.JsonAsync()).Text("error")).IsEqualTo("invalid_client");
        await Assert.That(json.StatusCode).IsEqualTo(HttpStatusCode.Unauthorized);
        // The refused requests did not burn the refresh token.
        using var form = await new OAuthFlow(Sim).RefreshAsync(account.RefreshToken);
        await Assert.That(form.StatusCode).IsEqualTo(HttpStatusCode.OK);
    }

    [Test]
    public async Task Revoked_access_tokens_stop_working_and_introspect_as_inactive()
    {
        var account = await Sim.NewAccountAsync();
        var credentials = new Dictionary<string, string>
        {
            ["client_id"] = OAuthClient.DevelopmentClientId, ["client_secret"] = OAuthClient.DevelopmentClientSecret, ["token"] = account.AccessToken,
        };

        var before = await (await Sim.Http.PostAsync("/oauth/introspect", new FormUrlEncodedContent(credentials))).JsonAsync();
        using var revoke = await Sim.Http.PostAsync("/oauth/revoke", new FormUrlEncodedContent(credentials));
        var after = await (await Sim.Http.PostAsync("/oauth/introspect", new FormUrlEncodedContent(credentials))).JsonAsync();
        using var me = await account.Api.GetAsync("/users/me");

        await Assert.That(before.GetProperty("active").GetBoolean()).IsTrue();
        await Assert.That(before.Text("owner")).IsEqualTo(account.UserUri);
        await Assert.That(before.Text("client_id")).IsEqualTo(OAuthClient.DevelopmentClientId);
        await Assert.That(revoke.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(after.Names()).IsEquivalentTo(["active"]);
        await Assert.That(me.StatusCode).IsEqualTo(HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task Another_clients_credentials_may_not_revoke_a_token()
    {
        var account = await Sim.NewAccountAsync();

        using var revoke = await Sim.Http.PostAsync("/oauth/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = TestSimulator.OtherClient.ClientId, ["client_secret"] = TestSimulator.OtherClient.ClientSecret, ["token"] = account.AccessToken,
        }));

        await Assert.That(revoke.StatusCode).IsEqualTo(HttpStatusCode.Forbidden);
        await Assert.That((await revoke.JsonAsync()).Text("error")).IsEqualTo("unauthorized_client");
    }

    [Test]
    public async Task The_ninth_token_request_of_a_user_within_a_minute_is_429()
    {
        var account = await Sim.NewAccountAsync();
        var flow = new OAuthFlow(Sim);
        var refreshToken = account.RefreshToken;
        for (var i = 0; i < 8; i++)
        {
            using var ok = await flow.RefreshAsync(refreshToken);
            await Assert.That(ok.StatusCode).IsEqualTo(HttpStatusCode.OK);
            refreshToken = (await ok.JsonAsync()).Text("refresh_token");
        }

        using var limited = await flow.RefreshAsync(refreshToken);

        await Assert.That((int)limited.StatusCode).IsEqualTo(429);
        await Assert.That(limited.Headers.GetValues("X-RateLimit-Remaining").Single()).IsEqualTo("0");
        await Assert.That(int.Parse(limited.Headers.GetValues("X-RateLimit-Reset").Single())).IsBetween(1, 60);
    }
}
