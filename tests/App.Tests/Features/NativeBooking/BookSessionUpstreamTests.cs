extern alias simulator;

using System.Net;
using Alba;
using App.Tests.Support;
using static App.Tests.Support.NativeBookings;
using static App.Tests.Support.ApiResponses;
using Sim = simulator::Calendly.Simulator;

namespace App.Tests.Features.NativeBooking;

/// <summary>
/// Bookings that count Calendly's requests or change how it behaves: each test has a simulator, database and app of its
/// own, so the counts are its alone.
/// </summary>
public sealed class BookSessionUpstreamTests
{
    private const string Bookings = "POST /invitees";

    /// <summary>A world of its own: one connected coach, and a realtor who has seen the free times of its first event type.</summary>
    private sealed record World(IsolatedCalendly Calendly, ConnectedCoaches.ConnectedCoach Coach, Realtor Realtor, IReadOnlyList<DateTimeOffset> Starts)
        : IAsyncDisposable
    {
        public string EventUri => Coach.Account.EventTypes[0];

        public static async Task<World> StartAsync(Dictionary<string, string>? settings = null,
            Func<Sim.SimulatorSettings, Sim.SimulatorSettings>? configure = null)
        {
            var calendly = await IsolatedCalendly.StartAsync(configure);
            IAlbaHost host = await calendly.StartAppAsync(settings);
            var coach = await ConnectedCoaches.ConnectAsync(host, calendly.Database, calendly.Simulator);
            var realtor = await RealtorAsync(host, calendly.Database);
            return new World(calendly, coach, realtor, await FreeStartsAsync(realtor.Browser, coach.Account.EventTypes[0]));
        }

        public Task<HttpResponseMessage> BookAsync(DateTimeOffset start, string key) =>
            NativeBookings.BookAsync(Realtor.Browser, new { eventUri = EventUri, startTime = Iso(start) }, key);

        public ValueTask DisposeAsync() => Calendly.DisposeAsync();
    }

    [Test]
    public async Task A_lost_answer_is_settled_from_Calendly_s_record_and_the_time_is_booked_once()
    {
        // The app gives up on Calendly after a second; Calendly books at once, then takes three seconds to finish its answer.
        await using var world = await World.StartAsync(new() { ["CALENDLY_TIMEOUT_SECONDS"] = "1", ["CALENDLY_ATTEMPT_TIMEOUT_SECONDS"] = "1" });
        await world.Calendly.Simulator.SetFaultsAsync(new { slowBodyMs = 3000, endpoints = new[] { Bookings }, user = world.Coach.Account.Uri });
        var key = NewKey();

        var response = await world.BookAsync(world.Starts[0], key);

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Created);
        await Assert.That((await DataAsync(response)).GetProperty("startTime").GetDateTimeOffset()).IsEqualTo(world.Starts[0]);
        await Assert.That(await world.Calendly.Simulator.CountAsync(Bookings)).IsEqualTo(1);
        // Settled by reading Calendly's record, not by waiting out the slow answer.
        await Assert.That(await world.Calendly.Simulator.CountAsync("GET /scheduled_events")).IsEqualTo(1);
        await Assert.That(await CalendlyBookingsAsync(world.Calendly.Simulator, world.Coach, world.Realtor.Email)).IsEqualTo(1);
        var again = await world.BookAsync(world.Starts[0], key);
        await Assert.That(again.StatusCode).IsEqualTo(HttpStatusCode.Created);
        await Assert.That(Replayed(again)).IsTrue();
        await Assert.That(await world.Calendly.Simulator.CountAsync(Bookings)).IsEqualTo(1);
    }

    [Test]
    public async Task A_lost_answer_Calendly_cannot_be_asked_about_is_settled_by_the_next_repeat_instead_of_booking_again()
    {
        await using var world = await World.StartAsync(new()
        {
            ["CALENDLY_TIMEOUT_SECONDS"] = "1", ["CALENDLY_ATTEMPT_TIMEOUT_SECONDS"] = "1", ["CALENDLY_MAX_RETRIES"] = "0",
        });
        var simulator = world.Calendly.Simulator;
        await simulator.SetFaultsAsync(new { slowBodyMs = 3000, endpoints = new[] { Bookings }, user = world.Coach.Account.Uri });
        var key = NewKey();

        var first = world.BookAsync(world.Starts[0], key);
        // Once Calendly has booked (its answer still trickling), its record cannot be read either.
        while (await CalendlyBookingsAsync(simulator, world.Coach, world.Realtor.Email) == 0) await Task.Delay(20);
        await simulator.SetFaultsAsync(new { outage = true, endpoints = new[] { "GET /scheduled_events" }, user = world.Coach.Account.Uri });
        await ErrorOf(await first, HttpStatusCode.ServiceUnavailable, "calendly_unavailable");
        await simulator.ClearFaultsAsync();

        var again = await world.BookAsync(world.Starts[0], key);

        await Assert.That(again.StatusCode).IsEqualTo(HttpStatusCode.Created);
        await Assert.That((await DataAsync(again)).GetProperty("startTime").GetDateTimeOffset()).IsEqualTo(world.Starts[0]);
        await Assert.That(await simulator.CountAsync(Bookings)).IsEqualTo(1);
        await Assert.That(await CalendlyBookingsAsync(simulator, world.Coach, world.Realtor.Email)).IsEqualTo(1);
    }

    [Test]
    public async Task Calendly_s_booking_limit_is_429_at_once_with_its_wait_and_the_booking_is_not_retried()
    {
        await using var world = await World.StartAsync(configure: settings => settings with { BookingLimitPaid = new(PerMinute: 1) });
        await world.BookAsync(world.Starts[0], NewKey());
        var key = NewKey();

        var response = await world.BookAsync(world.Starts[1], key);

        var error = await ErrorOf(response, HttpStatusCode.TooManyRequests, "calendly_rate_limited");
        var wait = response.Headers.RetryAfter!.Delta!.Value;
        await Assert.That(wait).IsGreaterThan(TimeSpan.Zero).And.IsLessThanOrEqualTo(TimeSpan.FromMinutes(1));
        await Assert.That(error.GetProperty("details").GetProperty("retryAfterSeconds").GetInt32()).IsEqualTo((int)wait.TotalSeconds);
        await Assert.That(await world.Calendly.Simulator.CountAsync(Bookings)).IsEqualTo(2);
        // Decided, so kept: the same key answers the same refusal without asking Calendly.
        var again = await world.BookAsync(world.Starts[1], key);
        await ErrorOf(again, HttpStatusCode.TooManyRequests, "calendly_rate_limited");
        await Assert.That(Replayed(again)).IsTrue();
        await Assert.That(await world.Calendly.Simulator.CountAsync(Bookings)).IsEqualTo(2);
    }

    [Test]
    public async Task An_event_type_no_connected_coach_offers_is_not_found()
    {
        await using var world = await World.StartAsync();
        var stranger = (await world.Calendly.Simulator.CreateUsersAsync(1))[0];

        var response = await NativeBookings.BookAsync(world.Realtor.Browser,
            new { eventUri = stranger.EventTypes[0], startTime = Iso(world.Starts[0]) }, NewKey());

        await ErrorOf(response, HttpStatusCode.NotFound, "not_found");
        await Assert.That(await world.Calendly.Simulator.CountAsync(Bookings)).IsEqualTo(0);
    }
}
