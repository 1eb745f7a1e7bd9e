using System.Net;
using System.Net.Http.Json;
using Calendly.Simulator.Tests.Support;

namespace Calendly.Simulator.Tests.Control;

[ClassDataSource<SimulatorFixture>(Shared = SharedType.PerTestSession)]
public sealed class ControlInputTests(SimulatorFixture fixture)
{
    private TestSimulator Sim => fixture.Simulator;

    [Test]
    public async Task Users_are_created_in_bulk_in_one_new_organization()
    {
        var created = await Sim.PostJsonAsync("/_sim/users", new { count = 25, plan = "teams" });
        var users = created.GetProperty("users").EnumerateArray().ToList();

        await Assert.That(users.Count).IsEqualTo(25);
        await Assert.That(users.Select(u => u.Text("uri")).Distinct().Count()).IsEqualTo(25);
        await Assert.That(users[0].Text("role")).IsEqualTo("owner");
        await Assert.That(users[1].Text("role")).IsEqualTo("user");
        await Assert.That(users.All(u => u.Text("plan") == "teams")).IsTrue();
        await Assert.That(users[0].GetProperty("eventTypes").GetArrayLength()).IsEqualTo(2);
    }

    [Test]
    public async Task Bad_user_and_token_requests_are_400_with_details()
    {
        using var users = await Sim.Http.PostAsJsonAsync("/_sim/users", new { count = 5000, plan = "platinum", role = "boss", timezone = "Mars/Olympus" });
        using var tokens = await Sim.Http.PostAsJsonAsync("/_sim/tokens", new { user = Guid.NewGuid().ToString() });

        await Assert.That((await users.JsonAsync()).GetProperty("details").EnumerateArray().Select(d => d.Text("parameter")))
            .IsEquivalentTo(["count", "plan", "role", "timezone"]);
        await Assert.That(tokens.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task Bookings_outside_the_schedule_or_in_the_past_are_400_and_unknown_event_types_404()
    {
        var coach = await Sim.NewAccountAsync();
        var eventType = await coach.EventTypeUriAsync();
        var offGrid = DateTimeOffset.Parse((await coach.FreeSlotsAsync(eventType))[0].Text("start_time")).AddMinutes(7);

        var notOnGrid = await Book(eventType, offGrid);
        var past = await Book(eventType, DateTimeOffset.UtcNow.AddDays(-1));
        var unknown = await Book($"{Sim.BaseUrl}/event_types/{Guid.NewGuid()}", offGrid);

        await Assert.That(notOnGrid).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(past).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(unknown).IsEqualTo(HttpStatusCode.NotFound);
    }

    private async Task<HttpStatusCode> Book(string eventType, DateTimeOffset start)
    {
        using var response = await Sim.Http.PostAsJsonAsync("/_sim/bookings",
            new { eventTypeUri = eventType, startTime = start, inviteeEmail = "x@example.com", inviteeName = "X" });
        return response.StatusCode;
    }
}
