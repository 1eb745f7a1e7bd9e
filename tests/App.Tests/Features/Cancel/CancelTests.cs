using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using App.Tests.Support;
using Dapper;
using static App.Tests.Support.SimulatedSessions;

namespace App.Tests.Features.Cancel;

[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed class CancelTests(AppFixture app)
{
    private const string Cancel = "/api/calendly/events/cancel";

    private sealed record StoredSession(string Status, DateTimeOffset? CanceledAt, string? CancelReason, string? CancelerType);

    private static async Task<StoredSession> StoredAsync(TestDatabase database, string inviteeUri)
    {
        await using var db = await database.OpenAsync();
        return await db.QuerySingleAsync<StoredSession>(
            "select status, canceled_at, cancel_reason, canceler_type from sessions where invitee_uri = @inviteeUri", new { inviteeUri });
    }

    private async Task AssertNotFoundAsync(HttpResponseMessage response)
    {
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
        var error = await ErrorAsync(response);
        await Assert.That(error.GetProperty("code").GetString()).IsEqualTo("not_found");
        await Assert.That(error.GetProperty("message").GetString()).IsEqualTo("There is no such session of yours.");
    }

    [Test]
    public async Task The_hosting_coach_cancels_and_Calendly_and_the_sessions_row_show_it_canceled()
    {
        var (coach, browser) = await CoachAsync(app);
        var booked = (await BookSlotsAsync(app.Simulator, coach, 1))[0];
        var (_, realtorId) = await RealtorAsync(app);
        await InsertBookingAsync(app.Database, coach.UserId, realtorId, booked);

        var response = await browser.PostJsonAsync(Cancel, new { uuid = booked.EventUuid, reason = "  Family emergency  " });

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        var data = await DataAsync(response);
        await Assert.That(data.GetProperty("uuid").GetString()).IsEqualTo(booked.EventUuid);
        await Assert.That(data.GetProperty("status").GetString()).IsEqualTo("canceled");
        await Assert.That(data.GetProperty("reason").GetString()).IsEqualTo("Family emergency");
        var simulated = await EventAsync(app.Simulator, coach, booked.EventUuid);
        await Assert.That(simulated.GetProperty("status").GetString()).IsEqualTo("canceled");
        await Assert.That(simulated.GetProperty("cancellation").GetProperty("reason").GetString()).IsEqualTo("Family emergency");
        var stored = await StoredAsync(app.Database, booked.InviteeUri);
        await Assert.That(stored.Status).IsEqualTo("canceled");
        await Assert.That(stored.CancelReason).IsEqualTo("Family emergency");
        await Assert.That(stored.CancelerType).IsEqualTo("host");
        await Assert.That(stored.CanceledAt).IsEqualTo(data.GetProperty("canceledAt").GetDateTimeOffset());
    }

    [Test]
    public async Task The_realtor_who_booked_it_cancels_through_the_coach_s_connection()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var booked = (await BookSlotsAsync(app.Simulator, coach, 1))[0];
        var (realtor, realtorId) = await RealtorAsync(app);
        await InsertBookingAsync(app.Database, coach.UserId, realtorId, booked);

        var response = await realtor.PostJsonAsync(Cancel, new { uuid = booked.EventUuid, reason = "Found another coach" });

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That((await EventAsync(app.Simulator, coach, booked.EventUuid)).GetProperty("status").GetString()).IsEqualTo("canceled");
        await Assert.That((await StoredAsync(app.Database, booked.InviteeUri)).Status).IsEqualTo("canceled");
    }

    [Test]
    public async Task Anyone_else_gets_the_same_404_as_for_a_session_that_does_not_exist()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var booked = (await BookSlotsAsync(app.Simulator, coach, 1))[0];
        var (_, realtorId) = await RealtorAsync(app);
        await InsertBookingAsync(app.Database, coach.UserId, realtorId, booked);
        var (otherRealtor, _) = await RealtorAsync(app);
        var (_, otherCoach) = await CoachAsync(app);
        var host = await ConnectedCoaches.SignedInAsync(app.Host, coach.ExternalId, "coach");
        var body = new { uuid = booked.EventUuid, reason = "Not mine to cancel" };
        var unknown = new { uuid = Guid.NewGuid().ToString(), reason = "Nothing there" };

        await AssertNotFoundAsync(await otherRealtor.PostJsonAsync(Cancel, body));
        await AssertNotFoundAsync(await otherCoach.PostJsonAsync(Cancel, body));
        await AssertNotFoundAsync(await otherRealtor.PostJsonAsync(Cancel, unknown));
        await AssertNotFoundAsync(await host.PostJsonAsync(Cancel, unknown));
        await Assert.That((await EventAsync(app.Simulator, coach, booked.EventUuid)).GetProperty("status").GetString()).IsEqualTo("active");
    }

    [Test]
    public async Task Cancelling_twice_is_a_conflict_for_the_coach_and_for_the_realtor()
    {
        var (coach, browser) = await CoachAsync(app);
        var booked = await BookSlotsAsync(app.Simulator, coach, 2);
        var (realtor, realtorId) = await RealtorAsync(app);
        await InsertBookingAsync(app.Database, coach.UserId, realtorId, booked[1]);

        // booked[0] has no sessions row: Calendly says it is canceled. booked[1]'s row says so first.
        foreach (var (caller, uuid) in new[] { (browser, booked[0].EventUuid), (realtor, booked[1].EventUuid) })
        {
            await Assert.That((await caller.PostJsonAsync(Cancel, new { uuid, reason = "first" })).StatusCode).IsEqualTo(HttpStatusCode.OK);
            var again = await caller.PostJsonAsync(Cancel, new { uuid, reason = "second" });
            await Assert.That(again.StatusCode).IsEqualTo(HttpStatusCode.Conflict);
            var error = await ErrorAsync(again);
            await Assert.That(error.GetProperty("code").GetString()).IsEqualTo("conflict");
            await Assert.That(error.GetProperty("message").GetString()).Contains("already canceled");
        }
    }

    [Test]
    public async Task A_cancellation_the_table_has_not_heard_of_yet_is_a_conflict_and_the_table_catches_up()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var booked = (await BookSlotsAsync(app.Simulator, coach, 1))[0];
        var (realtor, realtorId) = await RealtorAsync(app);
        await InsertBookingAsync(app.Database, coach.UserId, realtorId, booked);
        // The invitee cancels on Calendly's own page; no webhook reaches this table in the test.
        (await app.Simulator.Http.PostAsJsonAsync("_sim/cancellations", new { invitee = booked.InviteeUri, reason = "Changed plans" }))
            .EnsureSuccessStatusCode();

        var response = await realtor.PostJsonAsync(Cancel, new { uuid = booked.EventUuid, reason = "Too late" });

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Conflict);
        var stored = await StoredAsync(app.Database, booked.InviteeUri);
        await Assert.That(stored.Status).IsEqualTo("canceled");
        await Assert.That(stored.CancelReason).IsEqualTo("Changed plans");
        await Assert.That(stored.CancelerType).IsEqualTo("invitee");
    }

    [Test]
    public async Task A_session_that_has_started_cannot_be_canceled()
    {
        var (coach, browser) = await CoachAsync(app);
        var (realtor, realtorId) = await RealtorAsync(app);
        var past = MadeUpSession(coach.UserId, realtorId, DateTimeOffset.UtcNow.AddHours(-2));
        await InsertSessionAsync(app.Database, past);
        var uuid = past.ScheduledEventUri.Split('/')[^1];

        foreach (var caller in new[] { realtor, browser })
        {
            var response = await caller.PostJsonAsync(Cancel, new { uuid, reason = "too late" });
            await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Conflict);
            await Assert.That((await ErrorAsync(response)).GetProperty("message").GetString()).Contains("already started");
        }
    }

    [Test]
    public async Task Calendly_s_event_in_the_past_answer_is_a_conflict()
    {
        // A simulator of its own: its clock moves past the meeting, which would disturb other tests' bookings.
        await using var calendly = await IsolatedCalendly.StartAsync();
        var host = await calendly.StartAppAsync();
        var coach = await ConnectedCoaches.ConnectAsync(host, calendly.Database, calendly.Simulator);
        var browser = await ConnectedCoaches.SignedInAsync(host, coach.ExternalId, "coach");
        var booked = (await BookSlotsAsync(calendly.Simulator, coach, 1))[0];
        await calendly.Simulator.AdvanceClockAsync(TimeSpan.FromDays(8));

        var response = await browser.PostJsonAsync(Cancel, new { uuid = booked.EventUuid, reason = "late" });

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Conflict);
        await Assert.That((await ErrorAsync(response)).GetProperty("message").GetString()).Contains("already started");
    }

    [Test]
    public async Task A_Calendly_outage_while_cancelling_is_a_503_and_leaves_the_session_active()
    {
        // A simulator and app of their own: failures feed the app's circuit breaker, which other tests share.
        await using var calendly = await IsolatedCalendly.StartAsync();
        var host = await calendly.StartAppAsync();
        var coach = await ConnectedCoaches.ConnectAsync(host, calendly.Database, calendly.Simulator);
        var browser = await ConnectedCoaches.SignedInAsync(host, coach.ExternalId, "coach");
        var booked = (await BookSlotsAsync(calendly.Simulator, coach, 1))[0];
        var realtorId = await ConnectedCoaches.CreateUserAsync(calendly.Database, $"realtor-{Guid.NewGuid():N}", "realtor");
        await InsertBookingAsync(calendly.Database, coach.UserId, realtorId, booked);
        await calendly.Simulator.SetFaultsAsync(new
        {
            outage = true, user = coach.Account.Uri, endpoints = new[] { "POST /scheduled_events/{uuid}/cancellation" },
        });

        var response = await browser.PostJsonAsync(Cancel, new { uuid = booked.EventUuid, reason = "Storm" });

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.ServiceUnavailable);
        await Assert.That((await ErrorAsync(response)).GetProperty("code").GetString()).IsEqualTo("calendly_unavailable");
        await Assert.That((await StoredAsync(calendly.Database, booked.InviteeUri)).Status).IsEqualTo("active");
        await Assert.That((await EventAsync(calendly.Simulator, coach, booked.EventUuid)).GetProperty("status").GetString()).IsEqualTo("active");
    }

    [Test]
    [Arguments(null, "reason")]
    [Arguments("", "reason")]
    [Arguments("   ", "reason")]
    [Arguments("501", "reason")]
    public async Task A_missing_or_too_long_reason_is_refused_naming_reason(string? reason, string field)
    {
        var (_, browser) = await CoachAsync(app);
        var response = await browser.PostJsonAsync(Cancel, new { uuid = Guid.NewGuid().ToString(), reason = reason == "501" ? new string('x', 501) : reason });
        await AssertRefusedNamingAsync(response, field);
    }

    [Test]
    [Arguments("{\"reason\":\"why\"}")]
    [Arguments("{\"uuid\":\"../users/me\",\"reason\":\"why\"}")]
    public async Task A_missing_or_malformed_uuid_is_refused_naming_uuid(string body)
    {
        var (_, browser) = await CoachAsync(app);
        var response = await browser.SendAsync(new HttpRequestMessage(HttpMethod.Post, Cancel)
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        });
        await AssertRefusedNamingAsync(response, "uuid");
    }

    [Test]
    public async Task A_realtor_on_a_group_session_with_others_gets_their_own_cancel_link_and_the_coach_may_cancel_it()
    {
        var (coach, browser) = await CoachAsync(app);
        var mine = await BookFirstFreeAsync(app.Simulator, coach, "rita@example.test", eventType: 1);
        var theirs = await BookFirstFreeAsync(app.Simulator, coach, "other@example.test", eventType: 1);
        await Assert.That(theirs.EventUuid).IsEqualTo(mine.EventUuid);
        var (realtor, realtorId) = await RealtorAsync(app);
        await InsertBookingAsync(app.Database, coach.UserId, realtorId, mine);

        var response = await realtor.PostJsonAsync(Cancel, new { uuid = mine.EventUuid, reason = "Cannot make it" });

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Conflict);
        var error = await ErrorAsync(response);
        await Assert.That(error.GetProperty("code").GetString()).IsEqualTo("conflict");
        await Assert.That(error.GetProperty("details").GetProperty("cancelUrl").GetString()).IsEqualTo(mine.CancelUrl);
        await Assert.That((await EventAsync(app.Simulator, coach, mine.EventUuid)).GetProperty("status").GetString()).IsEqualTo("active");

        var byHost = await browser.PostJsonAsync(Cancel, new { uuid = mine.EventUuid, reason = "Room closed" });
        await Assert.That(byHost.StatusCode).IsEqualTo(HttpStatusCode.OK);
    }

    [Test]
    public async Task A_realtor_whose_coach_has_no_working_connection_gets_their_own_cancel_link()
    {
        var coachId = await ConnectedCoaches.CreateUserAsync(app.Database, $"coach-{Guid.NewGuid():N}", "coach");
        var (realtor, realtorId) = await RealtorAsync(app);
        var session = MadeUpSession(coachId, realtorId, DateTimeOffset.UtcNow.AddDays(1));
        await InsertSessionAsync(app.Database, session);

        var response = await realtor.PostJsonAsync(Cancel, new { uuid = session.ScheduledEventUri.Split('/')[^1], reason = "Cannot make it" });

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Conflict);
        await Assert.That((await ErrorAsync(response)).GetProperty("details").GetProperty("cancelUrl").GetString()).IsEqualTo(session.CancelUrl);
    }

    [Test]
    public async Task A_coach_without_Calendly_gets_calendly_not_connected()
    {
        var browser = await ConnectedCoaches.SignedInAsync(app.Host, $"coach-{Guid.NewGuid():N}", "coach");
        var response = await browser.PostJsonAsync(Cancel, new { uuid = Guid.NewGuid().ToString(), reason = "why" });
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Conflict);
        await Assert.That((await ErrorAsync(response)).GetProperty("code").GetString()).IsEqualTo("calendly_not_connected");
    }

    [Test]
    [NeedsSlices("Scheduled")]
    public async Task The_page_replaces_the_form_tells_the_row_and_toasts_and_works_without_javascript()
    {
        var (coach, browser) = await CoachAsync(app);
        var booked = await BookSlotsAsync(app.Simulator, coach, 2);
        var token = await browser.AntiforgeryTokenAsync();
        Dictionary<string, string> Form(string uuid) => new()
        {
            ["__RequestVerificationToken"] = token,
            ["uuid"] = uuid,
            ["reason"] = "Double booked",
            ["returnUrl"] = "/sessions?sort=startTime%3Adesc",
        };

        var htmx = await browser.PostFormAsync("/sessions/cancel", Form(booked[0].EventUuid), htmx: true);
        await Assert.That(htmx.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(await htmx.Content.ReadAsStringAsync()).Contains("Canceled.");
        var triggers = JsonDocument.Parse(htmx.Headers.GetValues("HX-Trigger").Single()).RootElement;
        await Assert.That(triggers.GetProperty("sessions-changed").GetProperty("uuid").GetString()).IsEqualTo(booked[0].EventUuid);
        await Assert.That(triggers.GetProperty("toast").GetProperty("message").GetString()).IsEqualTo("The session is canceled.");
        // The row the event bubbles to fetches itself again, now canceled and without a cancel form.
        var row = await (await browser.GetAsync($"/sessions/rows/{booked[0].EventUuid}", htmx: true)).Content.ReadAsStringAsync();
        await Assert.That(row).Contains("session-canceled");
        await Assert.That(row).Contains("Double booked");
        await Assert.That(row).DoesNotContain("hx-post=\"/sessions/cancel\"");

        var plain = await browser.PostFormAsync("/sessions/cancel", Form(booked[1].EventUuid));
        await Assert.That(plain.StatusCode).IsEqualTo(HttpStatusCode.Redirect);
        await Assert.That(plain.Headers.Location!.ToString()).IsEqualTo("/sessions?sort=startTime%3Adesc&notice=session-canceled");
        await Assert.That((await EventAsync(app.Simulator, coach, booked[1].EventUuid)).GetProperty("status").GetString()).IsEqualTo("canceled");
    }

    [Test]
    public async Task On_the_page_a_realtor_s_group_session_answers_with_their_cancel_link_and_a_mistake_comes_back_in_the_form()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var mine = await BookFirstFreeAsync(app.Simulator, coach, "rita@example.test", eventType: 1);
        await BookFirstFreeAsync(app.Simulator, coach, "other@example.test", eventType: 1);
        var (realtor, realtorId) = await RealtorAsync(app);
        await InsertBookingAsync(app.Database, coach.UserId, realtorId, mine);
        // One row in the table: the page offers the cancel form, Calendly knows better.
        var token = await realtor.AntiforgeryTokenAsync();
        var form = new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["uuid"] = mine.EventUuid, ["reason"] = "Busy" };

        var group = await realtor.PostFormAsync("/sessions/cancel", form, htmx: true);
        await Assert.That(group.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(await group.Content.ReadAsStringAsync()).Contains($"href=\"{mine.CancelUrl}\"");
        await Assert.That(group.Headers.GetValues("HX-Trigger").Single()).DoesNotContain("sessions-changed");

        var plain = await realtor.PostFormAsync("/sessions/cancel", form);
        await Assert.That(plain.Headers.Location!.ToString()).IsEqualTo(mine.CancelUrl);

        // A mistake comes back in the form (422, what is wrong beside it): in place with htmx, on a page of its own without.
        form["reason"] = "";
        var invalid = await realtor.PostFormAsync("/sessions/cancel", form, htmx: true);
        await Assert.That(invalid.StatusCode).IsEqualTo(HttpStatusCode.UnprocessableEntity);
        var again = await invalid.Content.ReadAsStringAsync();
        await Assert.That(again.TrimStart()).StartsWith("<details class=\"cancel-session\" open");
        await Assert.That(again).Contains("The reason is required.");
        var page = await realtor.PostFormAsync("/sessions/cancel", form);
        await Assert.That(page.StatusCode).IsEqualTo(HttpStatusCode.UnprocessableEntity);
        await Assert.That(await page.Content.ReadAsStringAsync()).Contains("<h1>Cancel a session</h1>");
    }

    [Test]
    public async Task The_route_documents_Calendly_s_errors_in_the_envelope() =>
        await ApiDocument.AssertDocumentsUpstreamErrorsAsync(app, "post", "/api/calendly/events/cancel");
}
