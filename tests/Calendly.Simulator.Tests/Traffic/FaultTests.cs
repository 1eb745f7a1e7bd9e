using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Calendly.Simulator.Tests.Support;

namespace Calendly.Simulator.Tests.Traffic;

/// <summary>Faults scoped to a fresh user each, so they never touch other tests running in parallel.</summary>
[ClassDataSource<SimulatorFixture>(Shared = SharedType.PerTestSession)]
public sealed class FaultTests(SimulatorFixture fixture)
{
    private TestSimulator Sim => fixture.Simulator;

    [Test]
    public async Task Latency_slows_only_the_faulted_user()
    {
        var slow = await Sim.NewAccountAsync();
        var fast = await Sim.NewAccountAsync();
        await Sim.PostJsonAsync("/_sim/faults", new { user = slow.UserUri, latencyMs = 5000 });

        // The other user is answered while the slow one's request is held: no clock on the fast side, so a busy
        // machine cannot fail it, and the held one's wait is a lower bound.
        var stopwatch = Stopwatch.StartNew();
        var held = slow.Api.GetAsync("/users/me");
        using var fastResponse = await fast.Api.GetAsync("/users/me");
        var heldWhenFastAnswered = !held.IsCompleted;
        using var slowResponse = await held;

        await Assert.That(fastResponse.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(heldWhenFastAnswered).IsTrue();
        await Assert.That(stopwatch.Elapsed).IsGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(4990));
    }

    [Test]
    public async Task An_error_rate_of_one_answers_calendlys_500_on_the_listed_endpoints_only()
    {
        var account = await Sim.NewAccountAsync();
        await Sim.PostJsonAsync("/_sim/faults", new { user = account.UserUri, errorRate = 1.0, endpoints = new[] { "GET /users/me" } });

        using var faulted = await account.Api.GetAsync("/users/me");
        using var other = await account.Api.GetAsync($"/users/{account.Uuid}");
        var body = await faulted.JsonAsync();

        await Assert.That(faulted.StatusCode).IsEqualTo(HttpStatusCode.InternalServerError);
        await Assert.That(body.Text("title")).IsEqualTo("Internal Server Error");
        await Assert.That(other.StatusCode).IsEqualTo(HttpStatusCode.OK);
    }

    [Test]
    public async Task An_outage_is_503_even_with_a_bad_token_and_clears_with_delete()
    {
        var account = await Sim.NewAccountAsync();
        await Sim.PostJsonAsync("/_sim/faults", new { user = account.UserUri, outage = true });

        using var down = await account.Api.GetAsync("/event_types");
        using var cleared = await Sim.Http.DeleteAsync($"/_sim/faults?user={Uri.EscapeDataString(account.UserUri)}");
        using var up = await account.Api.GetAsync("/users/me");

        await Assert.That(down.StatusCode).IsEqualTo(HttpStatusCode.ServiceUnavailable);
        await Assert.That(up.StatusCode).IsEqualTo(HttpStatusCode.OK);
    }

    [Test]
    public async Task Malformed_json_is_cut_off_mid_document()
    {
        var account = await Sim.NewAccountAsync();
        await Sim.PostJsonAsync("/_sim/faults", new { user = account.UserUri, malformedJson = true });

        using var response = await account.Api.GetAsync("/users/me");
        var text = await response.Content.ReadAsStringAsync();

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(text).StartsWith("{\"resource\":");
        await Assert.That(() => JsonDocument.Parse(text)).Throws<JsonException>();
    }

    [Test]
    public async Task A_slow_body_arrives_late_but_whole()
    {
        var account = await Sim.NewAccountAsync();
        await Sim.PostJsonAsync("/_sim/faults", new { user = account.UserUri, slowBodyMs = 300 });

        var stopwatch = Stopwatch.StartNew();
        using var response = await account.Api.GetAsync("/users/me");
        var body = await response.JsonAsync();

        await Assert.That(stopwatch.Elapsed).IsGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(290));
        await Assert.That(body.GetProperty("resource").Text("uri")).IsEqualTo(account.UserUri);
    }

    [Test]
    public async Task Refusing_webhook_subscriptions_refuses_that_user_whatever_the_events_until_cleared()
    {
        var refused = await Sim.NewAccountAsync(plan: "enterprise");
        var colleague = await Sim.NewAccountAsync(organization: refused.OrganizationUri);
        var set = await Sim.PostJsonAsync("/_sim/faults", new { user = refused.UserUri, refuseWebhookSubscriptions = true });

        using var denied = await refused.PostSubscriptionAsync("https://hooks.example/refused", ["invitee.created"]);
        using var colleagues = await colleague.PostSubscriptionAsync("https://hooks.example/colleague", ["invitee.created"]);
        using var cleared = await Sim.Http.DeleteAsync($"/_sim/faults?user={Uri.EscapeDataString(refused.UserUri)}");
        using var after = await refused.PostSubscriptionAsync("https://hooks.example/refused", ["invitee.created"]);

        await Assert.That(set.GetProperty("rules").EnumerateArray()
            .Any(r => r.Text("user") == refused.Uuid && r.GetProperty("refuseWebhookSubscriptions").GetBoolean())).IsTrue();
        await Assert.That(denied.StatusCode).IsEqualTo(HttpStatusCode.Forbidden);
        await Assert.That((await denied.JsonAsync()).Text("message")).IsEqualTo("Please upgrade to a paid Calendly account.");
        await Assert.That(colleagues.StatusCode).IsEqualTo(HttpStatusCode.Created);
        await Assert.That(after.StatusCode).IsEqualTo(HttpStatusCode.Created);
    }

    [Test]
    public async Task Fault_settings_are_validated_and_listed()
    {
        var account = await Sim.NewAccountAsync();

        using var bad = await Sim.Http.PostAsync("/_sim/faults", System.Net.Http.Json.JsonContent.Create(new
        {
            latencyMs = -1, errorRate = 1.5, tokenTtlSeconds = 0, endpoints = new[] { "users" }, user = "nobody",
        }));
        var set = await Sim.PostJsonAsync("/_sim/faults", new { user = account.UserUri, latencyMs = 1 });

        await Assert.That(bad.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That((await bad.JsonAsync()).GetProperty("details").EnumerateArray().Select(d => d.Text("parameter")))
            .IsEquivalentTo(["latencyMs", "errorRate", "tokenTtlSeconds", "endpoints", "user"]);
        await Assert.That(set.GetProperty("rules").EnumerateArray().Any(r => r.Text("user") == account.Uuid)).IsTrue();
    }
}
