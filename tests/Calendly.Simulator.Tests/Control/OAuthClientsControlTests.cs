using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Calendly.Simulator.OAuth;
using Calendly.Simulator.Tests.Support;

namespace Calendly.Simulator.Tests.Control;

/// <summary>/_sim/oauth_clients and the scope of /_sim/tokens. Tests that change a client's scopes run on a simulator of their own.</summary>
[ClassDataSource<SimulatorFixture>(Shared = SharedType.PerTestSession)]
public sealed class OAuthClientsControlTests(SimulatorFixture fixture)
{
    private static readonly OAuthClient Changeable = new("changeable-client", "changeable-secret", ["http://127.0.0.1:1/changeable"]);

    [Test]
    public async Task The_registered_clients_are_listed_with_their_scopes_and_without_secrets()
    {
        using var response = await fixture.Simulator.Http.GetAsync("/_sim/oauth_clients");
        var text = await response.Content.ReadAsStringAsync();
        var clients = (await response.JsonAsync()).GetProperty("clients").EnumerateArray().ToDictionary(c => c.Text("clientId"));

        await Assert.That(clients.Keys).IsEquivalentTo([OAuthClient.DevelopmentClientId, TestSimulator.OtherClient.ClientId, TestSimulator.ScopedClient.ClientId]);
        await Assert.That(clients[OAuthClient.DevelopmentClientId].Names()).IsEquivalentTo(["clientId", "redirectUris", "scopes"]);
        await Assert.That(Names(clients[OAuthClient.DevelopmentClientId])).IsEquivalentTo(Scopes.Catalog);
        await Assert.That(Names(clients[TestSimulator.ScopedClient.ClientId])).IsEquivalentTo(["users:read", "scheduled_events:write"]);
        await Assert.That(clients[TestSimulator.OtherClient.ClientId].GetProperty("scopes").ValueKind).IsEqualTo(JsonValueKind.Null);
        await Assert.That(clients[TestSimulator.OtherClient.ClientId].GetProperty("redirectUris")[0].GetString()).IsEqualTo("http://127.0.0.1:1/callback");
        foreach (var secret in new[] { OAuthClient.DevelopmentClientSecret, OAuthClient.DevelopmentWebhookSigningKey, "other-secret", "other-client-signing-key" })
            await Assert.That(text).DoesNotContain(secret);
    }

    [Test]
    public async Task New_scopes_apply_to_later_grants_and_issued_tokens_keep_theirs()
    {
        await using var sim = await StartWithChangeableClientAsync();
        var coach = await sim.NewAccountAsync();
        var before = await sim.AccountForAsync(coach.UserUri, clientId: Changeable.ClientId);

        using var changed = await PatchAsync(sim, Changeable.ClientId, """{"scopes":["users:read"]}""");
        var after = await sim.AccountForAsync(coach.UserUri, clientId: Changeable.ClientId);
        using var oldTokenOnEvents = await before.Api.GetAsync($"/scheduled_events?user={Uri.EscapeDataString(coach.UserUri)}");
        using var newTokenOnEvents = await after.Api.GetAsync($"/scheduled_events?user={Uri.EscapeDataString(coach.UserUri)}");
        using var newTokenOnMe = await after.Api.GetAsync("/users/me");
        await PatchAsync(sim, Changeable.ClientId, """{"scopes":null}""");
        var legacyAgain = await sim.PostJsonAsync("/_sim/tokens", new { user = coach.UserUri, clientId = Changeable.ClientId });

        await Assert.That(changed.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(Names(await changed.JsonAsync())).IsEquivalentTo(["users:read"]);
        await Assert.That(oldTokenOnEvents.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(newTokenOnEvents.StatusCode).IsEqualTo(HttpStatusCode.Forbidden);
        await Assert.That(newTokenOnMe.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(legacyAgain.Text("scope")).IsEqualTo("default");
    }

    [Test]
    public async Task An_app_with_no_scopes_ticked_gets_tokens_that_may_call_nothing()
    {
        await using var sim = await StartWithChangeableClientAsync();
        var coach = await sim.NewAccountAsync();

        await PatchAsync(sim, Changeable.ClientId, """{"scopes":[]}""");
        var token = await sim.PostJsonAsync("/_sim/tokens", new { user = coach.UserUri, clientId = Changeable.ClientId });
        using var me = await sim.NewClient(token.Text("access_token")).GetAsync("/users/me");

        await Assert.That(token.Text("scope")).IsEqualTo("");
        await Assert.That(me.StatusCode).IsEqualTo(HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task Reset_restores_the_registered_scopes()
    {
        await using var sim = await StartWithChangeableClientAsync();
        await PatchAsync(sim, OAuthClient.DevelopmentClientId, """{"scopes":["users:read"]}""");

        await sim.PostJsonAsync("/_sim/reset", new { });
        var clients = await sim.Http.GetJsonAsync("/_sim/oauth_clients");

        var app = clients.GetProperty("clients").EnumerateArray().Single(c => c.Text("clientId") == OAuthClient.DevelopmentClientId);
        await Assert.That(Names(app)).IsEquivalentTo(Scopes.Catalog);
    }

    [Test]
    [Arguments("""{"scopes":["users:read","calendars:read"]}""", "calendars:read is not a Calendly scope")]
    [Arguments("""{"scopes":["default"]}""", "default is not a Calendly scope")]
    [Arguments("""{}""", "is required: an array of Calendly scope names, or null for a legacy app with default access")]
    [Arguments("", "is required: an array of Calendly scope names, or null for a legacy app with default access")]
    [Arguments("""{"scopes":"users:read"}""", "must be an array of Calendly scope names, or null for a legacy app with default access")]
    [Arguments("""{"scopes":[1]}""", "must be an array of Calendly scope names, or null for a legacy app with default access")]
    [Arguments("""{"scopes":[""", "has the wrong type")]
    public async Task Bad_scope_changes_are_400_naming_scopes_and_change_nothing(string json, string message)
    {
        await using var sim = await StartWithChangeableClientAsync();

        using var response = await PatchAsync(sim, Changeable.ClientId, json);
        var body = await response.JsonAsync();
        var clients = await sim.Http.GetJsonAsync("/_sim/oauth_clients");

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(body.Text("title")).IsEqualTo("Invalid Argument");
        await Assert.That(body.GetProperty("details").EnumerateArray().Select(d => d.Text("message"))).Contains(message);
        await Assert.That(clients.GetProperty("clients").EnumerateArray().Single(c => c.Text("clientId") == Changeable.ClientId)
            .GetProperty("scopes").ValueKind).IsEqualTo(JsonValueKind.Null);
    }

    [Test]
    public async Task An_unknown_client_is_404_Resource_Not_Found()
    {
        using var response = await PatchAsync(fixture.Simulator, "no-such-client", """{"scopes":["users:read"]}""");
        var body = await response.JsonAsync();

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
        await Assert.That(body.Text("title")).IsEqualTo("Resource Not Found");
        await Assert.That(body.Text("message")).IsEqualTo("The server could not find the requested resource.");
    }

    [Test]
    public async Task Sim_tokens_narrow_the_asked_scope_to_the_clients_registered_ones()
    {
        var coach = await fixture.Simulator.NewAccountAsync();

        var app = await TokenScopeAsync(coach, null, null);
        var legacy = await TokenScopeAsync(coach, TestSimulator.OtherClient.ClientId, null);
        var narrowed = await TokenScopeAsync(coach, TestSimulator.ScopedClient.ClientId, "users:read webhooks:read");
        using var unknown = await fixture.Simulator.Http.PostAsJsonAsync("/_sim/tokens", new { user = coach.UserUri, scope = "users:read calendars:read" });
        var details = (await unknown.JsonAsync()).GetProperty("details").EnumerateArray().ToList();

        await Assert.That(app).IsEqualTo(string.Join(' ', Scopes.Catalog));
        await Assert.That(legacy).IsEqualTo("default");
        await Assert.That(narrowed).IsEqualTo("users:read");
        await Assert.That(unknown.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(details.Select(d => (d.Text("parameter"), d.Text("message")))).IsEquivalentTo([("scope", "calendars:read is not a Calendly scope")]);
    }

    private static Task<TestSimulator> StartWithChangeableClientAsync() =>
        TestSimulator.StartAsync(TestSimulator.DefaultSettings with { OAuthClients = [.. TestSimulator.DefaultSettings.OAuthClients, Changeable] });

    private static Task<HttpResponseMessage> PatchAsync(TestSimulator sim, string clientId, string json) =>
        sim.Http.PatchAsync($"/_sim/oauth_clients/{clientId}", new StringContent(json, Encoding.UTF8, "application/json"));

    private async Task<string> TokenScopeAsync(SimAccount account, string? clientId, string? scope) =>
        (await fixture.Simulator.PostJsonAsync("/_sim/tokens", new { user = account.UserUri, clientId, scope })).Text("scope");

    private static IReadOnlyList<string> Names(JsonElement client) =>
        [.. client.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!)];
}
