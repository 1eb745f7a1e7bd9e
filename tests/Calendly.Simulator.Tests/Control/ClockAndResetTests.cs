using System.Net;
using Calendly.Simulator.Tests.Support;

namespace Calendly.Simulator.Tests.Control;

/// <summary>The clock and reset are global, so each test here has a simulator of its own.</summary>
public sealed class ClockAndResetTests
{
    [Test]
    public async Task Moving_the_clock_moves_free_times_with_it()
    {
        await using var sim = await TestSimulator.StartAsync();
        var account = await sim.NewAccountAsync();
        var eventType = await account.EventTypeUriAsync();

        var state = await sim.PostJsonAsync("/_sim/clock", new { advanceSeconds = 30 * 86400 });
        var now = DateTimeOffset.Parse(state.Text("now"));
        var fresh = await sim.AccountForAsync(account.UserUri);
        using var oldWindow = await fresh.Api.GetAsync(
            $"/event_type_available_times?event_type={Uri.EscapeDataString(eventType)}&start_time={Booking.Stamp(DateTimeOffset.UtcNow.AddHours(1))}&end_time={Booking.Stamp(DateTimeOffset.UtcNow.AddDays(2))}");
        var slots = await fresh.FreeSlotsAsync(eventType, now.AddMinutes(1));

        await Assert.That(now - DateTimeOffset.UtcNow).IsGreaterThan(TimeSpan.FromDays(29));
        await Assert.That(oldWindow.StatusCode).IsEqualTo(HttpStatusCode.BadRequest); // that start is now in the past
        await Assert.That(DateTimeOffset.Parse(slots[0].Text("start_time"))).IsGreaterThan(now);
    }

    [Test]
    public async Task The_clock_can_be_set_and_read()
    {
        await using var sim = await TestSimulator.StartAsync();
        var target = new DateTimeOffset(2031, 5, 6, 7, 8, 9, TimeSpan.Zero);

        await sim.PostJsonAsync("/_sim/clock", new { now = target });
        var state = await sim.Http.GetJsonAsync("/_sim/clock");
        using var both = await sim.Http.PostAsync("/_sim/clock", System.Net.Http.Json.JsonContent.Create(new { now = target, advanceSeconds = 1 }));

        await Assert.That(DateTimeOffset.Parse(state.Text("now")) - target).IsBetween(TimeSpan.Zero, TimeSpan.FromSeconds(5));
        await Assert.That(both.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task Reset_restores_the_seeded_world_and_keeps_seeded_users_connected()
    {
        await using var sim = await TestSimulator.StartAsync();
        var created = await sim.NewAccountAsync();
        var coach = await sim.SeededAccountAsync();
        await sim.BookFirstFreeSlotAsync(await sim.SeededAccountAsync("morgan-lee"));
        await sim.PostJsonAsync("/_sim/clock", new { advanceSeconds = 600 });

        await sim.PostJsonAsync("/_sim/reset", new { });
        using var gone = await created.Api.GetAsync("/users/me");
        using var kept = await coach.Api.GetAsync("/users/me");
        var clock = await sim.Http.GetJsonAsync("/_sim/clock");

        await Assert.That(gone.StatusCode).IsEqualTo(HttpStatusCode.Unauthorized);
        await Assert.That(kept.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(clock.GetProperty("offsetSeconds").GetDouble()).IsEqualTo(0);
    }
}
