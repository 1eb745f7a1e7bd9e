using System.Net;
using Calendly.Simulator.Tests.Support;

namespace Calendly.Simulator.Tests.Contract;

/// <summary>
/// Which plans may subscribe to which events, and at which scopes (§8.1, §8.2). None runs live: each creates
/// subscriptions (live runs only read) and most need accounts on particular plans.
/// </summary>
[ClassDataSource<SimulatorFixture>(Shared = SharedType.PerTestSession)]
public sealed class WebhookSubscriptionContractTests(SimulatorFixture fixture)
{
    private const string Url = "https://hooks.example/calendly";

    private TestSimulator Sim => fixture.Simulator;

    [Test]
    [Property("Reference", "§8.1")]
    public async Task A_paid_plan_may_subscribe_to_routing_forms_and_meeting_recaps()
    {
        var paid = await Sim.NewAccountAsync(plan: "standard");

        using var routingForms = await paid.PostSubscriptionAsync(Url, ["routing_form_submission.created"], scope: "organization");
        using var recaps = await paid.PostSubscriptionAsync(Url, ["meeting_recap.created", "meeting_recap.updated", "meeting_recap.deleted"]);

        await Assert.That(routingForms.StatusCode).IsEqualTo(HttpStatusCode.Created);
        await Assert.That(recaps.StatusCode).IsEqualTo(HttpStatusCode.Created);
    }

    [Test]
    [Property("Reference", "§8.1")]
    public async Task The_organizations_plan_decides_not_the_callers()
    {
        var freeOwner = await Sim.NewAccountAsync(plan: "free");
        var paidInFree = await Sim.NewAccountAsync(plan: "teams", organization: freeOwner.OrganizationUri);
        var paidOwner = await Sim.NewAccountAsync(plan: "teams");
        var freeInPaid = await Sim.NewAccountAsync(plan: "free", organization: paidOwner.OrganizationUri);

        using var refused = await paidInFree.PostSubscriptionAsync(Url, ["meeting_recap.created"]);
        using var allowed = await freeInPaid.PostSubscriptionAsync(Url, ["meeting_recap.created"]);

        await Assert.That(refused.StatusCode).IsEqualTo(HttpStatusCode.Forbidden);
        await Assert.That((await refused.JsonAsync()).Text("message")).IsEqualTo("Please upgrade to a paid Calendly account.");
        await Assert.That(allowed.StatusCode).IsEqualTo(HttpStatusCode.Created);
    }

    [Test]
    [Property("Reference", "§8.2")]
    public async Task Meeting_recaps_are_user_scoped_only()
    {
        var paid = await Sim.NewAccountAsync(plan: "teams");

        using var response = await paid.PostSubscriptionAsync(Url, ["meeting_recap.created"], scope: "organization");
        var body = await response.JsonAsync();

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(body.GetProperty("details").EnumerateArray().Select(d => d.Text("message")))
            .IsEquivalentTo(["meeting_recap.created is not available for organization scope"]);
    }

    [Test]
    [Property("Reference", "§8.2")]
    public async Task Contacts_are_on_every_plan_at_organization_and_user_scope()
    {
        var free = await Sim.NewAccountAsync(plan: "free");

        using var organization = await free.PostSubscriptionAsync(Url, ["contact.created", "contact.updated", "contact.deleted"], scope: "organization");
        using var user = await free.PostSubscriptionAsync(Url, ["contact.created"]);

        await Assert.That(organization.StatusCode).IsEqualTo(HttpStatusCode.Created);
        await Assert.That(user.StatusCode).IsEqualTo(HttpStatusCode.Created);
    }
}
