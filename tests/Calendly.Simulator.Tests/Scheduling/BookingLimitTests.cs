using System.Net;
using Calendly.Simulator.Traffic;
using Calendly.Simulator.Tests.Support;
using static Calendly.Simulator.Tests.Support.SchedulingApi;

namespace Calendly.Simulator.Tests.Scheduling;

/// <summary>
/// The Scheduling API's own per-user limits by plan (calendly-api.md §4.10, 2026-04-15). Simulator only: reaching a
/// limit against the real Calendly means booking real meetings.
/// </summary>
[ClassDataSource<SimulatorFixture>(Shared = SharedType.PerTestSession)]
public sealed class BookingLimitTests(SimulatorFixture fixture)
{
    private TestSimulator Sim => fixture.Simulator;

    [Test, Property("Reference", "§4.10")]
    public async Task A_paid_plan_books_ten_a_minute_and_the_eleventh_is_429_with_the_booking_budget_in_the_headers()
    {
        var coach = await Sim.NewAccountAsync(plan: "teams");
        var eventType = await coach.EventTypeUriAsync();
        var slots = await coach.FreeSlotsAsync(eventType);

        var answers = new List<HttpResponseMessage>();
        foreach (var slot in slots.Take(12)) answers.Add((await coach.BookAsync(Body(eventType, slot.Text("start_time")))).Response);

        await Assert.That(answers.Take(10).All(a => a.StatusCode == HttpStatusCode.Created)).IsTrue();
        await Assert.That(answers.Skip(10).All(a => a.StatusCode == HttpStatusCode.TooManyRequests)).IsTrue();
        await Assert.That(Header(answers[0], "X-RateLimit-Limit")).IsEqualTo("10");
        await Assert.That(Header(answers[0], "X-RateLimit-Remaining")).IsEqualTo("9");
        await Assert.That(Header(answers[10], "X-RateLimit-Remaining")).IsEqualTo("0");
        await Assert.That(int.Parse(Header(answers[10], "X-RateLimit-Reset"))).IsBetween(1, 60);
        var events = await coach.Api.GetJsonAsync($"/scheduled_events?user={Uri.EscapeDataString(coach.UserUri)}&count=100");
        await Assert.That(events.GetProperty("collection").GetArrayLength()).IsEqualTo(10);
    }

    [Test, Property("Reference", "§4.10")]
    public async Task A_trial_books_five_a_day()
    {
        var coach = await Sim.NewAccountAsync(plan: "trial");
        var eventType = await coach.EventTypeUriAsync();
        var slots = await coach.FreeSlotsAsync(eventType);

        var statuses = new List<HttpStatusCode>();
        foreach (var slot in slots.Take(6)) statuses.Add((await coach.BookAsync(Body(eventType, slot.Text("start_time")))).Response.StatusCode);

        await Assert.That(statuses.Count(s => s == HttpStatusCode.Created)).IsEqualTo(5);
        await Assert.That(statuses[5]).IsEqualTo(HttpStatusCode.TooManyRequests);
    }

    [Test, Property("Reference", "§4.10")]
    public async Task A_booking_also_counts_toward_the_general_per_user_budget()
    {
        var coach = await Sim.NewAccountAsync();
        var eventType = await coach.EventTypeUriAsync();
        var slots = await coach.FreeSlotsAsync(eventType);
        using var before = await coach.Api.GetAsync("/users/me");

        await coach.BookAsync(Body(eventType, slots[0].Text("start_time")));
        await coach.BookAsync(Body(eventType, slots[1].Text("start_time")));
        using var after = await coach.Api.GetAsync("/users/me");

        await Assert.That(int.Parse(Header(after, "X-RateLimit-Remaining"))).IsEqualTo(int.Parse(Header(before, "X-RateLimit-Remaining")) - 3);
    }

    [Test]
    [Arguments("10/min,50/h,100/day", 10, 50, 100)]
    [Arguments("5/day", null, null, 5)]
    [Arguments("none", null, null, null)]
    public async Task Booking_limit_settings_read_per_minute_hour_and_day(string text, int? minute, int? hour, int? day)
    {
        await Assert.That(BookingLimit.Parse(text)).IsEqualTo(new BookingLimit(minute, hour, day));
    }

    [Test]
    [Arguments("10")]
    [Arguments("10/week")]
    [Arguments("1/min,2/min")]
    [Arguments("0/min")]
    public async Task Booking_limit_settings_refuse_what_they_cannot_read(string text)
    {
        await Assert.That(BookingLimit.Parse(text)).IsNull();
    }

    private static string Header(HttpResponseMessage response, string name) => response.Headers.GetValues(name).Single();
}
