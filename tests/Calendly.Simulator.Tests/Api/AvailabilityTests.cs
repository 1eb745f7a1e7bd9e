using System.Net;
using Calendly.Simulator.Tests.Support;

namespace Calendly.Simulator.Tests.Api;

[ClassDataSource<SimulatorFixture>(Shared = SharedType.PerTestSession)]
public sealed class AvailabilityTests(SimulatorFixture fixture)
{
    private TestSimulator Sim => fixture.Simulator;

    [Test]
    public async Task Free_times_follow_the_schedule_in_its_time_zone_on_the_slot_grid()
    {
        var coach = await Sim.NewAccountAsync(timezone: "America/New_York");
        var eventType = await coach.EventTypeUriAsync();

        var slots = await coach.FreeSlotsAsync(eventType);
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

        await Assert.That(slots.Count).IsGreaterThan(0);
        foreach (var slot in slots)
        {
            var start = DateTimeOffset.Parse(slot.Text("start_time"));
            var local = TimeZoneInfo.ConvertTime(start, zone);
            await Assert.That(slot.Text("status")).IsEqualTo("available");
            await Assert.That(slot.GetProperty("invitees_remaining").GetInt32()).IsEqualTo(1);
            await Assert.That(local.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)).IsTrue();
            await Assert.That(local.TimeOfDay).IsBetween(TimeSpan.FromHours(9), TimeSpan.FromHours(16.5));
            await Assert.That(local.Minute % 30).IsEqualTo(0);
            await Assert.That(slot.Text("scheduling_url")).StartsWith($"{Sim.BaseUrl}/book/");
        }
    }

    [Test]
    public async Task A_booked_slot_is_no_longer_free()
    {
        var coach = await Sim.NewAccountAsync();
        var eventType = await coach.EventTypeUriAsync();
        var first = (await coach.FreeSlotsAsync(eventType))[0].Text("start_time");

        await Sim.BookAsync(eventType, first);
        var after = await coach.FreeSlotsAsync(eventType);
        using var twice = await Sim.Http.PostAsync("/_sim/bookings", System.Net.Http.Json.JsonContent.Create(new
        {
            eventTypeUri = eventType, startTime = first, inviteeEmail = "late@example.com", inviteeName = "Late",
        }));

        await Assert.That(after.Select(s => s.Text("start_time"))).DoesNotContain(first);
        await Assert.That(twice.StatusCode).IsEqualTo(HttpStatusCode.Conflict);
    }

    [Test]
    public async Task A_group_slot_counts_down_its_seats_and_disappears_when_full()
    {
        var coach = await Sim.NewAccountAsync();
        var groupType = await coach.EventTypeUriAsync(1);
        var slot = (await coach.FreeSlotsAsync(groupType))[0];
        var start = slot.Text("start_time");

        await Assert.That(slot.GetProperty("invitees_remaining").GetInt32()).IsEqualTo(3);
        await Sim.BookAsync(groupType, start, "a@example.com");
        var afterOne = (await coach.FreeSlotsAsync(groupType)).Single(s => s.Text("start_time") == start);
        await Sim.BookAsync(groupType, start, "b@example.com");
        await Sim.BookAsync(groupType, start, "c@example.com");
        var afterThree = await coach.FreeSlotsAsync(groupType);

        await Assert.That(afterOne.GetProperty("invitees_remaining").GetInt32()).IsEqualTo(2);
        await Assert.That(afterThree.Select(s => s.Text("start_time"))).DoesNotContain(start);
    }

    [Test]
    public async Task Available_times_validate_their_window()
    {
        var coach = await Sim.NewAccountAsync();
        var eventType = Uri.EscapeDataString(await coach.EventTypeUriAsync());
        var soon = DateTimeOffset.UtcNow.AddHours(1);

        var missing = await Details(coach, "/event_type_available_times");
        var past = await Details(coach, $"/event_type_available_times?event_type={eventType}&start_time={Booking.Stamp(soon.AddDays(-2))}&end_time={Booking.Stamp(soon)}");
        var backwards = await Details(coach, $"/event_type_available_times?event_type={eventType}&start_time={Booking.Stamp(soon)}&end_time={Booking.Stamp(soon.AddHours(-1))}");
        var tooLong = await Details(coach, $"/event_type_available_times?event_type={eventType}&start_time={Booking.Stamp(soon)}&end_time={Booking.Stamp(soon.AddDays(32))}");

        await Assert.That(missing).IsEquivalentTo(["event_type", "start_time", "end_time"]);
        await Assert.That(past).IsEquivalentTo(["start_time"]);
        await Assert.That(backwards).IsEquivalentTo(["end_time"]);
        await Assert.That(tooLong).IsEquivalentTo(["end_time"]);
    }

    [Test]
    public async Task The_seeded_group_workshop_shows_its_remaining_seats()
    {
        var coach = await Sim.SeededAccountAsync();
        var workshop = $"{Sim.BaseUrl}/event_types/{Sim.SeededId("event-type:casey-rivera:group-workshop")}";
        var scheduled = (await coach.Api.GetJsonAsync($"/scheduled_events/{Sim.SeededId("event:casey-rivera:group-workshop")}")).GetProperty("resource");

        var slots = await coach.FreeSlotsAsync(workshop);

        var seat = slots.Single(s => s.Text("start_time") == scheduled.Text("start_time"));
        await Assert.That(seat.GetProperty("invitees_remaining").GetInt32()).IsEqualTo(3);
        await Assert.That(scheduled.GetProperty("invitees_counter").GetProperty("limit").GetInt32()).IsEqualTo(5);
    }

    [Test]
    public async Task Schedules_have_weekly_rules_and_date_overrides_in_an_iana_zone()
    {
        var coach = await Sim.SeededAccountAsync();

        var schedules = (await coach.Api.GetJsonAsync($"/user_availability_schedules?user={Uri.EscapeDataString(coach.UserUri)}"))
            .GetProperty("collection").EnumerateArray().ToList();
        var working = schedules.Single(s => s.GetProperty("default").GetBoolean());
        var single = (await coach.Api.GetJsonAsync($"/user_availability_schedules/{working.Text("uri").Uuid()}")).GetProperty("resource");
        var rules = working.GetProperty("rules").EnumerateArray().ToList();

        await Assert.That(schedules.Count).IsEqualTo(2);
        await Assert.That(working.Text("timezone")).IsEqualTo("America/New_York");
        await Assert.That(single.Text("uri")).IsEqualTo(working.Text("uri"));
        await Assert.That(rules.Count(r => r.Text("type") == "wday")).IsEqualTo(7);
        await Assert.That(rules.Count(r => r.Text("type") == "date")).IsEqualTo(2);
        var monday = rules.Single(r => r.Text("type") == "wday" && r.Text("wday") == "monday");
        await Assert.That(monday.GetProperty("intervals")[0].Text("from")).IsEqualTo("09:00");
        await Assert.That(rules.Single(r => r.Text("type") == "wday" && r.Text("wday") == "sunday").GetProperty("intervals").GetArrayLength()).IsEqualTo(0);
    }

    [Test]
    public async Task Busy_times_list_calendly_meetings_with_buffers_and_external_blocks()
    {
        var coach = await Sim.NewAccountAsync();
        var booked = await Sim.BookFirstFreeSlotAsync(coach);
        var seeded = await Sim.SeededAccountAsync();
        var from = DateTimeOffset.UtcNow.AddMinutes(1);

        var own = (await coach.Api.GetJsonAsync($"/user_busy_times?user={Uri.EscapeDataString(coach.UserUri)}&start_time={Booking.Stamp(from)}&end_time={Booking.Stamp(from.AddDays(7))}"))
            .GetProperty("collection");
        var casey = (await seeded.Api.GetJsonAsync($"/user_busy_times?user={Uri.EscapeDataString(seeded.UserUri)}&start_time={Booking.Stamp(from)}&end_time={Booking.Stamp(from.AddDays(7))}"))
            .GetProperty("collection").EnumerateArray().ToList();
        var tooLong = await Details(coach, $"/user_busy_times?user={Uri.EscapeDataString(coach.UserUri)}&start_time={Booking.Stamp(from)}&end_time={Booking.Stamp(from.AddDays(8))}");

        await Assert.That(own[0].Names()).IsEquivalentTo(["type", "start_time", "end_time", "buffered_start_time", "buffered_end_time", "event"]);
        await Assert.That(own[0].GetProperty("event").Text("uri")).IsEqualTo(booked.EventUri);
        await Assert.That(casey.Any(b => b.Text("type") == "external" && b.Names().Count == 3)).IsTrue();
        await Assert.That(tooLong).IsEquivalentTo(["end_time"]);
    }

    private static async Task<IReadOnlyList<string>> Details(SimAccount account, string url)
    {
        using var response = await account.Api.GetAsync(url);
        var body = await response.JsonAsync();
        if (response.StatusCode != HttpStatusCode.BadRequest) throw new InvalidOperationException($"{url} → {(int)response.StatusCode}: {body}");
        return [.. body.GetProperty("details").EnumerateArray().Select(d => d.Text("parameter"))];
    }
}
