using System.Net;
using System.Net.Http.Json;
using Calendly.Simulator.Tests.Support;

namespace Calendly.Simulator.Tests.Api;

[ClassDataSource<SimulatorFixture>(Shared = SharedType.PerTestSession)]
public sealed class CancellationAndNoShowTests(SimulatorFixture fixture)
{
    private TestSimulator Sim => fixture.Simulator;

    [Test]
    public async Task Cancelling_returns_the_cancellation_and_cancels_the_event_and_its_invitees()
    {
        var coach = await Sim.NewAccountAsync();
        var booked = await Sim.BookFirstFreeSlotAsync(coach);
        var uuid = booked.EventUri.Uuid();

        using var response = await coach.Api.PostAsJsonAsync($"/scheduled_events/{uuid}/cancellation", new { reason = "Sick" });
        var cancellation = (await response.JsonAsync()).GetProperty("resource");
        var scheduled = (await coach.Api.GetJsonAsync($"/scheduled_events/{uuid}")).GetProperty("resource");
        var invitee = (await coach.Api.GetJsonAsync($"/scheduled_events/{uuid}/invitees/{booked.InviteeUri.Uuid()}")).GetProperty("resource");
        using var again = await coach.Api.PostAsJsonAsync($"/scheduled_events/{uuid}/cancellation", new { });

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Created);
        await Assert.That(cancellation.Names()).IsEquivalentTo(["canceled_by", "reason", "canceler_type", "created_at"]);
        await Assert.That(cancellation.Text("canceler_type")).IsEqualTo("host");
        await Assert.That(cancellation.Text("reason")).IsEqualTo("Sick");
        await Assert.That(scheduled.Text("status")).IsEqualTo("canceled");
        await Assert.That(scheduled.GetProperty("cancellation").Text("reason")).IsEqualTo("Sick");
        await Assert.That(scheduled.GetProperty("invitees_counter").GetProperty("active").GetInt32()).IsEqualTo(0);
        await Assert.That(invitee.Text("status")).IsEqualTo("canceled");
        await Assert.That(again.StatusCode).IsEqualTo(HttpStatusCode.Forbidden);
        await Assert.That((await again.JsonAsync()).Text("message")).IsEqualTo("Event is already canceled");
    }

    [Test]
    public async Task Past_foreign_unknown_and_overlong_cancellations_get_Calendlys_answers()
    {
        var coach = await Sim.SeededAccountAsync();
        var past = (await coach.Api.GetJsonAsync(
            $"/scheduled_events?user={Uri.EscapeDataString(coach.UserUri)}&status=active&max_start_time={Booking.Stamp(DateTimeOffset.UtcNow)}"))
            .GetProperty("collection")[0].Text("uri").Uuid();
        var stranger = await Sim.NewAccountAsync();

        using var inThePast = await coach.Api.PostAsJsonAsync($"/scheduled_events/{past}/cancellation", new { });
        using var foreign = await stranger.Api.PostAsJsonAsync($"/scheduled_events/{past}/cancellation", new { });
        using var unknown = await coach.Api.PostAsJsonAsync($"/scheduled_events/{Guid.NewGuid()}/cancellation", new { });
        using var overlong = await coach.Api.PostAsJsonAsync($"/scheduled_events/{past}/cancellation", new { reason = new string('x', 10_001) });

        await Assert.That((await inThePast.JsonAsync()).Text("message")).IsEqualTo("Event in the past");
        await Assert.That((await foreign.JsonAsync()).Text("message")).IsEqualTo("You are not allowed to cancel this event");
        await Assert.That(unknown.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
        await Assert.That(overlong.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task A_no_show_is_created_shown_on_the_invitee_fetched_and_deleted()
    {
        var coach = await Sim.NewAccountAsync();
        var booked = await Sim.BookFirstFreeSlotAsync(coach);

        using var created = await coach.Api.PostAsJsonAsync("/invitee_no_shows", new { invitee = booked.InviteeUri });
        var noShow = (await created.JsonAsync()).GetProperty("resource");
        using var duplicate = await coach.Api.PostAsJsonAsync("/invitee_no_shows", new { invitee = booked.InviteeUri });
        var invitee = (await coach.Api.GetJsonAsync($"/scheduled_events/{booked.EventUri.Uuid()}/invitees/{booked.InviteeUri.Uuid()}"))
            .GetProperty("resource");
        var fetched = (await coach.Api.GetJsonAsync($"/invitee_no_shows/{noShow.Text("uri").Uuid()}")).GetProperty("resource");
        using var deleted = await coach.Api.DeleteAsync($"/invitee_no_shows/{noShow.Text("uri").Uuid()}");
        using var gone = await coach.Api.GetAsync($"/invitee_no_shows/{noShow.Text("uri").Uuid()}");

        await Assert.That(created.StatusCode).IsEqualTo(HttpStatusCode.Created);
        await Assert.That(noShow.Names()).IsEquivalentTo(["uri", "invitee", "created_at"]);
        await Assert.That(noShow.Text("invitee")).IsEqualTo(booked.InviteeUri);
        await Assert.That(duplicate.StatusCode).IsEqualTo(HttpStatusCode.Conflict);
        await Assert.That(invitee.GetProperty("no_show").Text("uri")).IsEqualTo(noShow.Text("uri"));
        await Assert.That(fetched.Text("uri")).IsEqualTo(noShow.Text("uri"));
        await Assert.That(deleted.StatusCode).IsEqualTo(HttpStatusCode.NoContent);
        await Assert.That(gone.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task A_no_show_needs_an_invitee_uri()
    {
        var coach = await Sim.NewAccountAsync();

        using var missing = await coach.Api.PostAsJsonAsync("/invitee_no_shows", new { });
        using var bad = await coach.Api.PostAsJsonAsync("/invitee_no_shows", new { invitee = "abc" });
        using var unknown = await coach.Api.PostAsJsonAsync("/invitee_no_shows",
            new { invitee = $"{Sim.BaseUrl}/scheduled_events/{Guid.NewGuid()}/invitees/{Guid.NewGuid()}" });

        await Assert.That(missing.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(bad.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(unknown.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
    }
}
