using System.Net;
using System.Net.Http.Json;
using Calendly.Simulator.Tests.Support;

namespace Calendly.Simulator.Tests.Api;

[ClassDataSource<SimulatorFixture>(Shared = SharedType.PerTestSession)]
public sealed class WebhookSubscriptionTests(SimulatorFixture fixture)
{
    private const string RefusedUrl = "https://hooks.example/refused";

    private TestSimulator Sim => fixture.Simulator;

    [Test]
    public async Task A_subscription_is_created_listed_fetched_and_deleted_without_ever_showing_its_key()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var coach = await Sim.NewAccountAsync();

        var created = await coach.SubscribeAsync(receiver, ["invitee.created"], signingKey: "secret-key");
        var list = await coach.Api.GetJsonAsync(
            $"/webhook_subscriptions?organization={Uri.EscapeDataString(coach.OrganizationUri)}&scope=user&user={Uri.EscapeDataString(coach.UserUri)}");
        using var deleted = await coach.Api.DeleteAsync($"/webhook_subscriptions/{created.Text("uri").Uuid()}");
        using var gone = await coach.Api.GetAsync($"/webhook_subscriptions/{created.Text("uri").Uuid()}");

        await Assert.That(created.Names()).IsEquivalentTo(["uri", "callback_url", "created_at", "updated_at", "retry_started_at", "state",
            "events", "scope", "organization", "user", "group", "creator"]);
        await Assert.That(created.Text("state")).IsEqualTo("active");
        await Assert.That(created.Text("creator")).IsEqualTo(coach.UserUri);
        await Assert.That(list.GetProperty("collection").GetArrayLength()).IsEqualTo(1);
        await Assert.That(deleted.StatusCode).IsEqualTo(HttpStatusCode.NoContent);
        await Assert.That(gone.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task The_same_url_twice_in_the_same_scope_is_409_Already_Exists()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var coach = await Sim.NewAccountAsync();
        await coach.SubscribeAsync(receiver, ["invitee.created"]);

        using var again = await coach.Api.PostAsJsonAsync("/webhook_subscriptions", new
        {
            url = receiver.Url, events = new[] { "invitee.canceled" }, organization = coach.OrganizationUri, scope = "user", user = coach.UserUri,
        });

        await Assert.That(again.StatusCode).IsEqualTo(HttpStatusCode.Conflict);
        await Assert.That((await again.JsonAsync()).Text("title")).IsEqualTo("Already Exists");
    }

    [Test]
    [Property("Reference", "§8.1")] // Not live: needs a free-plan account, and creates subscriptions.
    public async Task A_free_plan_user_may_subscribe_to_invitee_events_and_is_told_to_upgrade_for_plan_gated_ones_or_under_the_refusal_fault()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var free = await Sim.NewAccountAsync(plan: "free");

        var invitees = await free.SubscribeAsync(receiver, ["invitee.created", "invitee.canceled"]);
        using var routingForms = await free.PostSubscriptionAsync(RefusedUrl, ["routing_form_submission.created"], scope: "organization");
        using var recaps = await free.PostSubscriptionAsync(RefusedUrl, ["invitee.created", "meeting_recap.created"]);
        await Sim.PostJsonAsync("/_sim/faults", new { user = free.UserUri, refuseWebhookSubscriptions = true });
        using var underFault = await free.PostSubscriptionAsync(RefusedUrl, ["invitee_no_show.created"]);

        await Assert.That(invitees.Text("state")).IsEqualTo("active");
        foreach (var refused in new[] { routingForms, recaps, underFault })
        {
            var body = await refused.JsonAsync();
            await Assert.That(refused.StatusCode).IsEqualTo(HttpStatusCode.Forbidden);
            await Assert.That(body.Text("title")).IsEqualTo("Permission Denied");
            await Assert.That(body.Text("message")).IsEqualTo("Please upgrade to a paid Calendly account.");
        }
    }

    [Test]
    public async Task A_member_may_not_create_an_organization_subscription()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var owner = await Sim.NewAccountAsync();
        var member = await Sim.NewAccountAsync(organization: owner.OrganizationUri);

        using var response = await member.Api.PostAsJsonAsync("/webhook_subscriptions", new
        {
            url = receiver.Url, events = new[] { "invitee.created" }, organization = member.OrganizationUri, scope = "organization",
        });

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task Bad_subscription_bodies_are_400_naming_each_bad_field()
    {
        var coach = await Sim.NewAccountAsync();

        using var response = await coach.Api.PostAsJsonAsync("/webhook_subscriptions", new
        {
            url = "not a url", events = new[] { "invitee.exploded", "routing_form_submission.created" }, organization = "nope", scope = "user",
        });
        var body = await response.JsonAsync();
        using var notJson = await coach.Api.PostAsync("/webhook_subscriptions", new StringContent("{oops", System.Text.Encoding.UTF8, "application/json"));
        using var wrongType = await coach.Api.PostAsJsonAsync("/webhook_subscriptions", new { events = "invitee.created" });

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(body.GetProperty("details").EnumerateArray().Select(d => d.Text("parameter")))
            .IsEquivalentTo(["url", "events", "events", "organization", "user"]);
        await Assert.That(notJson.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(wrongType.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task Listing_needs_organization_and_scope()
    {
        var coach = await Sim.NewAccountAsync();

        using var response = await coach.Api.GetAsync("/webhook_subscriptions");
        var body = await response.JsonAsync();

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(body.GetProperty("details").EnumerateArray().Select(d => d.Text("parameter"))).IsEquivalentTo(["organization", "scope"]);
    }
}
