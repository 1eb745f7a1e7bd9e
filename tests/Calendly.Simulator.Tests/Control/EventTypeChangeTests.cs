using System.Net;
using System.Net.Http.Json;
using Calendly.Simulator.Tests.Support;

namespace Calendly.Simulator.Tests.Control;

/// <summary>Event types changed through /_sim/event_types: what the API then shows, and the event_type.* deliveries.</summary>
[ClassDataSource<SimulatorFixture>(Shared = SharedType.PerTestSession)]
public sealed class EventTypeChangeTests(SimulatorFixture fixture)
{
    private TestSimulator Sim => fixture.Simulator;

    private static readonly string[] EventTypeEvents = ["event_type.created", "event_type.updated", "event_type.deleted"];

    [Test]
    public async Task Creating_changing_and_deleting_an_event_type_each_deliver_its_event_with_the_event_type()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var coach = await Sim.NewAccountAsync();
        await coach.SubscribeAsync(receiver, EventTypeEvents);

        var uri = (await Sim.PostJsonAsync("/_sim/event_types", new { owner = coach.UserUri, name = "Listing Review", durationMinutes = 45 })).Text("uri");
        using var patch = await Sim.Http.PatchAsJsonAsync($"/_sim/event_types/{uri.Uuid()}", new { name = "Listing Review (long)", durationMinutes = 90 });
        using var delete = await Sim.Http.DeleteAsync($"/_sim/event_types/{uri.Uuid()}");
        var deliveries = await receiver.WaitForAsync(3);

        await Assert.That(patch.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(delete.StatusCode).IsEqualTo(HttpStatusCode.NoContent);
        await Assert.That(deliveries.Select(d => d.Event)).IsEquivalentTo(EventTypeEvents);
        var created = deliveries.Single(d => d.Event == "event_type.created").Payload;
        await Assert.That(created.Text("uri")).IsEqualTo(uri);
        await Assert.That(created.Text("name")).IsEqualTo("Listing Review");
        await Assert.That(created.GetProperty("duration").GetInt32()).IsEqualTo(45);
        await Assert.That(created.GetProperty("profile").Text("owner")).IsEqualTo(coach.UserUri);
        var updated = deliveries.Single(d => d.Event == "event_type.updated").Payload;
        await Assert.That(updated.GetProperty("duration").GetInt32()).IsEqualTo(90);
        await Assert.That(updated.GetProperty("updated_at").GetDateTimeOffset()).IsGreaterThan(created.GetProperty("updated_at").GetDateTimeOffset());
        var deleted = deliveries.Single(d => d.Event == "event_type.deleted").Payload;
        await Assert.That(deleted.GetProperty("deleted_at").GetString().IsCalendlyTimestamp()).IsTrue();
        await Assert.That(deleted.GetProperty("active").GetBoolean()).IsFalse();
    }

    [Test]
    public async Task A_deleted_event_type_is_listed_and_booked_no_more_but_still_readable()
    {
        var coach = await Sim.NewAccountAsync();
        var uri = (await Sim.PostJsonAsync("/_sim/event_types", new { owner = coach.UserUri, name = "Open House Prep" })).Text("uri");
        var listed = await coach.Api.GetJsonAsync($"event_types?user={Uri.EscapeDataString(coach.UserUri)}");
        await Assert.That(listed.GetProperty("collection").EnumerateArray().Select(t => t.Text("uri"))).Contains(uri);

        using var delete = await Sim.Http.DeleteAsync($"/_sim/event_types/{uri.Uuid()}");
        using var again = await Sim.Http.DeleteAsync($"/_sim/event_types/{uri.Uuid()}");
        var after = await coach.Api.GetJsonAsync($"event_types?user={Uri.EscapeDataString(coach.UserUri)}");
        var single = await coach.Api.GetJsonAsync($"event_types/{uri.Uuid()}");
        var start = DateTimeOffset.UtcNow.AddDays(1);
        using var times = await coach.Api.GetAsync(
            $"event_type_available_times?event_type={Uri.EscapeDataString(uri)}&start_time={start:yyyy-MM-ddTHH:mm:ssZ}&end_time={start.AddDays(2):yyyy-MM-ddTHH:mm:ssZ}");

        await Assert.That(delete.StatusCode).IsEqualTo(HttpStatusCode.NoContent);
        await Assert.That(again.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
        await Assert.That(after.GetProperty("collection").EnumerateArray().Select(t => t.Text("uri"))).DoesNotContain(uri);
        await Assert.That(single.GetProperty("resource").GetProperty("deleted_at").GetString().IsCalendlyTimestamp()).IsTrue();
        await Assert.That(times.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Bad_event_type_changes_are_400_with_details_and_unknown_ones_404()
    {
        using var missing = await Sim.Http.PostAsJsonAsync("/_sim/event_types", new { durationMinutes = 0, capacity = 500 });
        using var unknownOwner = await Sim.Http.PostAsJsonAsync("/_sim/event_types", new { owner = Guid.NewGuid().ToString(), name = "X" });
        using var tooLong = await Sim.Http.PatchAsJsonAsync($"/_sim/event_types/{Guid.NewGuid()}", new { name = new string('x', 56) });
        using var unknown = await Sim.Http.PatchAsJsonAsync($"/_sim/event_types/{Guid.NewGuid()}", new { name = "Fine" });

        await Assert.That((await missing.JsonAsync()).GetProperty("details").EnumerateArray().Select(d => d.Text("parameter")))
            .IsEquivalentTo(["owner", "name", "durationMinutes", "capacity"]);
        await Assert.That(unknownOwner.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(tooLong.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(unknown.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
    }
}
