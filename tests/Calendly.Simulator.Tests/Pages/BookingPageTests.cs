using System.Net;
using System.Text.RegularExpressions;
using Calendly.Simulator.Tests.Support;

namespace Calendly.Simulator.Tests.Pages;

/// <summary>The pages a person (or the app's embed) uses: they book, cancel and reschedule through the same rules as the API.</summary>
[ClassDataSource<SimulatorFixture>(Shared = SharedType.PerTestSession)]
public sealed partial class BookingPageTests(SimulatorFixture fixture)
{
    private TestSimulator Sim => fixture.Simulator;

    [Test]
    public async Task The_users_scheduling_url_lists_its_active_event_types()
    {
        var coach = await Sim.SeededAccountAsync();
        var schedulingUrl = (await coach.Api.GetJsonAsync("/users/me")).GetProperty("resource").Text("scheduling_url");

        var html = await Sim.Http.GetStringAsync(schedulingUrl);

        await Assert.That(html).Contains("/book/casey-rivera/intro-call");
        await Assert.That(html).Contains("/book/casey-rivera/group-workshop");
        await Assert.That(html).DoesNotContain("legacy-session");
        await Assert.That(html).Contains("calendly.profile_page_viewed");
    }

    [Test]
    public async Task Booking_through_the_pages_posts_event_scheduled_and_fires_invitee_created_with_tracking()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var coach = await Sim.NewAccountAsync();
        await coach.SubscribeAsync(receiver, ["invitee.created"]);
        var typePage = await coach.SchedulingUrlAsync(await coach.EventTypeUriAsync());
        var query = "?embed_domain=localhost&embed_type=Inline&utm_source=newsletter";

        var slots = await Sim.Http.GetStringAsync(typePage + query);
        var start = SlotStart().Match(slots).Groups[1].Value;
        var form = await Sim.Http.GetStringAsync($"{typePage}/{start}{query}");
        using var booked = await Sim.Http.PostAsync($"{typePage}/{start}{query}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["name"] = "Page Person", ["email"] = "page.person@example.com", ["timezone"] = "Europe/Berlin", ["utm_source"] = "newsletter",
        }));
        var confirmation = await booked.Content.ReadAsStringAsync();
        var delivery = (await receiver.WaitForAsync(1))[0];

        await Assert.That(slots).Contains("calendly.event_type_viewed");
        await Assert.That(form).Contains("calendly.date_and_time_selected");
        await Assert.That(booked.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(confirmation).Contains("calendly.event_scheduled");
        await Assert.That(confirmation).Contains(delivery.Payload.GetProperty("scheduled_event").Text("uri"));
        await Assert.That(confirmation).Contains(delivery.Payload.Text("uri"));
        await Assert.That(delivery.Payload.Text("email")).IsEqualTo("page.person@example.com");
        await Assert.That(delivery.Payload.Text("timezone")).IsEqualTo("Europe/Berlin");
        await Assert.That(delivery.Payload.GetProperty("tracking").Text("utm_source")).IsEqualTo("newsletter");
    }

    [Test]
    public async Task A_taken_time_shows_409_and_an_unknown_page_404()
    {
        var coach = await Sim.NewAccountAsync();
        var booked = await Sim.BookFirstFreeSlotAsync(coach);
        var scheduled = (await coach.Api.GetJsonAsync($"/scheduled_events/{booked.EventUri.Uuid()}")).GetProperty("resource");
        var typeUrl = await coach.SchedulingUrlAsync(scheduled.Text("event_type"));
        var start = DateTimeOffset.Parse(scheduled.Text("start_time")).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");

        using var taken = await Sim.Http.GetAsync($"{typeUrl}/{start}");
        using var unknown = await Sim.Http.GetAsync("/book/nobody-here");

        await Assert.That(taken.StatusCode).IsEqualTo(HttpStatusCode.Conflict);
        await Assert.That(unknown.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task The_cancel_page_cancels_only_that_invitee_of_a_group_event()
    {
        var coach = await Sim.NewAccountAsync();
        var groupType = await coach.EventTypeUriAsync(1);
        var slot = (await coach.FreeSlotsAsync(groupType))[0].Text("start_time");
        var leaving = await Sim.BookAsync(groupType, slot, "leaving@example.com");
        await Sim.BookAsync(groupType, slot, "staying@example.com");

        var page = await Sim.Http.GetStringAsync(leaving.CancelUrl);
        using var canceled = await Sim.Http.PostAsync(leaving.CancelUrl, new FormUrlEncodedContent(new Dictionary<string, string> { ["reason"] = "Busy" }));
        var invitee = (await coach.Api.GetJsonAsync($"/scheduled_events/{leaving.EventUri.Uuid()}/invitees/{leaving.InviteeUri.Uuid()}")).GetProperty("resource");
        var scheduled = (await coach.Api.GetJsonAsync($"/scheduled_events/{leaving.EventUri.Uuid()}")).GetProperty("resource");
        using var again = await Sim.Http.GetAsync(leaving.CancelUrl);

        await Assert.That(page).Contains("name=\"reason\"");
        await Assert.That(canceled.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(invitee.Text("status")).IsEqualTo("canceled");
        await Assert.That(invitee.GetProperty("cancellation").Text("reason")).IsEqualTo("Busy");
        await Assert.That(scheduled.Text("status")).IsEqualTo("active");
        await Assert.That(scheduled.GetProperty("invitees_counter").GetProperty("active").GetInt32()).IsEqualTo(1);
        await Assert.That(again.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task The_reschedule_page_moves_the_booking_to_a_new_event()
    {
        var coach = await Sim.NewAccountAsync();
        var booked = await Sim.BookFirstFreeSlotAsync(coach);

        var picker = await Sim.Http.GetStringAsync(booked.RescheduleUrl);
        var start = SlotStart().Match(picker).Groups[1].Value;
        var confirm = await Sim.Http.GetStringAsync($"{booked.RescheduleUrl}/{start}");
        using var moved = await Sim.Http.PostAsync($"{booked.RescheduleUrl}/{start}", new FormUrlEncodedContent(new Dictionary<string, string>()));
        var page = await moved.Content.ReadAsStringAsync();
        var old = (await coach.Api.GetJsonAsync($"/scheduled_events/{booked.EventUri.Uuid()}/invitees/{booked.InviteeUri.Uuid()}")).GetProperty("resource");

        await Assert.That(confirm).Contains("Reschedule Event");
        await Assert.That(moved.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(page).Contains("calendly.event_scheduled");
        await Assert.That(old.GetProperty("rescheduled").GetBoolean()).IsTrue();
        await Assert.That(page).Contains(old.Text("new_invitee"));
    }

    [Test]
    public async Task Times_are_shown_in_the_chosen_time_zone()
    {
        var coach = await Sim.NewAccountAsync();
        var typeUrl = await coach.SchedulingUrlAsync(await coach.EventTypeUriAsync());

        var utc = await Sim.Http.GetStringAsync(typeUrl);
        var tokyo = await Sim.Http.GetStringAsync(typeUrl + "?timezone=Asia/Tokyo");

        await Assert.That(utc).Contains(">09:00<");
        await Assert.That(tokyo).Contains("<option selected>Asia/Tokyo</option>");
        await Assert.That(tokyo).Contains(">18:00<"); // 09:00 UTC
    }

    [GeneratedRegex("data-start=\"([^\"]+)\"")]
    private static partial Regex SlotStart();
}
