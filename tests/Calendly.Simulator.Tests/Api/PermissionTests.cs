using System.Net;
using Calendly.Simulator.Tests.Support;

namespace Calendly.Simulator.Tests.Api;

/// <summary>Whose data a token may see: own data always; others' only within the organization and, for events, as admin.</summary>
[ClassDataSource<SimulatorFixture>(Shared = SharedType.PerTestSession)]
public sealed class PermissionTests(SimulatorFixture fixture)
{
    private TestSimulator Sim => fixture.Simulator;

    [Test]
    public async Task A_member_listing_a_colleagues_events_is_told_what_is_missing()
    {
        var member = await Sim.SeededAccountAsync("morgan-lee");
        var casey = Uri.EscapeDataString(Sim.SeededUserUri("casey-rivera"));
        var organization = Uri.EscapeDataString(member.OrganizationUri);

        var withoutOrganization = await Message(member, $"/scheduled_events?user={casey}");
        var asMember = await Message(member, $"/scheduled_events?user={casey}&organization={organization}");
        var wholeOrganization = await Message(member, $"/scheduled_events?organization={organization}");

        await Assert.That(withoutOrganization).IsEqualTo("Please also specify organization when requesting events for a user within your organization.");
        await Assert.That(asMember).IsEqualTo("You do not have permission to access this resource.");
        await Assert.That(wholeOrganization).IsEqualTo("You do not have permission to access this resource.");
    }

    [Test]
    public async Task An_admin_lists_a_colleagues_events_with_the_organization()
    {
        var admin = await Sim.SeededAccountAsync("riley-chen");
        var casey = Sim.SeededUserUri("casey-rivera");

        var events = await admin.Api.GetJsonAsync(
            $"/scheduled_events?user={Uri.EscapeDataString(casey)}&organization={Uri.EscapeDataString(admin.OrganizationUri)}");

        await Assert.That(events.GetProperty("collection").EnumerateArray()
            .All(e => e.GetProperty("event_memberships")[0].Text("user") == casey)).IsTrue();
    }

    [Test]
    public async Task Someone_from_another_organization_sees_nothing()
    {
        var outsider = await Sim.NewAccountAsync();
        var casey = Sim.SeededUserUri("casey-rivera");
        var seededEvent = Sim.SeededId("event:casey-rivera:group-workshop");

        var events = await Message(outsider, $"/scheduled_events?user={Uri.EscapeDataString(casey)}");
        var types = await Message(outsider, $"/event_types?user={Uri.EscapeDataString(casey)}");
        var single = await Message(outsider, $"/scheduled_events/{seededEvent}");
        var memberships = await Message(outsider, $"/organization_memberships?user={Uri.EscapeDataString(casey)}");

        await Assert.That(events).IsEqualTo("This user is not in your organization");
        await Assert.That(types).IsEqualTo("This user is not in your organization");
        await Assert.That(single).IsEqualTo("You are not allowed to view this event");
        await Assert.That(memberships).IsEqualTo("This user is not in your organization");
    }

    private static async Task<string> Message(SimAccount account, string url)
    {
        using var response = await account.Api.GetAsync(url);
        var body = await response.JsonAsync();
        if (response.StatusCode != HttpStatusCode.Forbidden) throw new InvalidOperationException($"{url} → {(int)response.StatusCode}: {body}");
        await Assert.That(body.Text("title")).IsEqualTo("Permission Denied");
        return body.Text("message");
    }
}
