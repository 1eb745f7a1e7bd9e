using System.Net;
using App.Tests.Support;
using Dapper;

namespace App.Tests.Features.Bookings;

[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed class BookingsTests(AppFixture app)
{
    private sealed record Realtor(long Id, string ExternalId, string BookingRef, Browser Browser);

    private async Task<Realtor> RealtorAsync()
    {
        var externalId = $"realtor-{Guid.NewGuid():N}";
        var browser = await ConnectedCoaches.SignedInAsync(app.Host, externalId, "realtor");
        var id = await SignedInUserModule.UserIdAsync(browser);
        await using var db = await app.Database.OpenAsync();
        var bookingRef = await db.ExecuteScalarAsync<string>("select booking_ref from users where id = @id", new { id });
        return new Realtor(id, externalId, bookingRef!, browser);
    }

    /// <summary>What the embedded page does when a realtor picks a slot: Calendly books it, tagged with their reference.</summary>
    private async Task<SimulatorServer.SimBooking> BookInCalendlyAsync(ConnectedCoaches.ConnectedCoach coach, string email, string? utmContent)
    {
        var eventType = coach.Account.EventTypes[0];
        var start = await app.Simulator.FirstFreeSlotAsync(coach.Tokens.AccessToken, eventType);
        return await app.Simulator.BookAsync(eventType, start, email, utmContent);
    }

    [Test]
    public async Task The_booking_widget_embeds_the_coach_s_page_prefilled_and_tagged_for_the_realtor()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var realtor = await RealtorAsync();
        var url = $"/coaches/{coach.UserId}/book?eventTypeUri={Uri.EscapeDataString(coach.Account.EventTypes[0])}";

        var fragment = await (await realtor.Browser.GetAsync(url, htmx: true)).Content.ReadAsStringAsync();

        await Assert.That(fragment).DoesNotContain("<html");
        await Assert.That(fragment).Contains("<iframe src=\"" + app.Simulator.BaseUrl);
        await Assert.That(fragment).Contains($"utm_content={realtor.BookingRef}");
        await Assert.That(fragment).Contains("utm_source=calendly-slices");
        await Assert.That(fragment).Contains("embed_domain=");
        await Assert.That(fragment).Contains($"email={realtor.ExternalId}@example.test");
        await Assert.That(fragment).Contains($"data-calendly-origin=\"{app.Simulator.BaseUrl}\"");
    }

    [Test]
    public async Task The_booking_widget_refuses_unknown_coaches_and_foreign_event_types()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var other = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var realtor = await RealtorAsync();

        var foreign = await realtor.Browser.GetAsync($"/coaches/{coach.UserId}/book?eventTypeUri={Uri.EscapeDataString(other.Account.EventTypes[0])}");
        await Assert.That(foreign.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
        var unknown = await realtor.Browser.GetAsync($"/coaches/999999999/book?eventTypeUri={Uri.EscapeDataString(coach.Account.EventTypes[0])}");
        await Assert.That(unknown.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
        var missing = await realtor.Browser.GetAsync($"/coaches/{coach.UserId}/book");
        await Assert.That(missing.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        // A page: a navigation gets an error page, not the API's JSON.
        foreach (var answer in new[] { foreign, unknown, missing })
        {
            await Assert.That(answer.Content.Headers.ContentType!.MediaType).IsEqualTo("text/html");
            await Assert.That(await answer.Content.ReadAsStringAsync()).Contains("<h1>");
        }
    }

    [Test]
    public async Task A_booking_confirmed_with_Calendly_becomes_the_realtor_s_session_once()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var realtor = await RealtorAsync();
        var booking = await BookInCalendlyAsync(coach, "someone.else@example.test", realtor.BookingRef);
        var body = new { coachId = coach.UserId, eventUri = booking.Event, inviteeUri = booking.Invitee };

        var first = await realtor.Browser.PostJsonAsync("/api/calendly/bookings", body);
        var second = await realtor.Browser.PostJsonAsync("/api/calendly/bookings", body);

        await Assert.That(first.StatusCode).IsEqualTo(HttpStatusCode.OK);
        var session = (await Browser.JsonAsync(first)).GetProperty("data");
        await Assert.That(session.GetProperty("inviteeUri").GetString()).IsEqualTo(booking.Invitee);
        await Assert.That(session.GetProperty("status").GetString()).IsEqualTo("active");
        await Assert.That((await Browser.JsonAsync(second)).GetProperty("data").GetProperty("id").GetInt64())
            .IsEqualTo(session.GetProperty("id").GetInt64());
        await using var db = await app.Database.OpenAsync();
        var row = await db.QuerySingleAsync<(long RealtorId, long CoachId, string Source)>(
            "select realtor_id, coach_id, source from sessions where invitee_uri = @Invitee", new { booking.Invitee });
        await Assert.That(row.RealtorId).IsEqualTo(realtor.Id);
        await Assert.That(row.CoachId).IsEqualTo(coach.UserId);
        await Assert.That(row.Source).IsEqualTo("booking");
    }

    [Test]
    public async Task The_widget_records_through_its_own_page_route_and_the_json_route_answers_json_only()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var realtor = await RealtorAsync();
        var booking = await BookInCalendlyAsync(coach, "widget@example.test", realtor.BookingRef);
        var token = await realtor.Browser.AntiforgeryTokenAsync();

        var fromPage = await realtor.Browser.PostFormAsync("/bookings/record", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["coachId"] = coach.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["eventUri"] = booking.Event,
            ["inviteeUri"] = booking.Invitee,
        }, htmx: true);
        var fromApi = await realtor.Browser.PostJsonAsync("/api/calendly/bookings",
            new { coachId = coach.UserId, eventUri = booking.Event, inviteeUri = booking.Invitee });

        await Assert.That(fromPage.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(await fromPage.Content.ReadAsStringAsync()).Contains("Booked: ");
        var trigger = fromPage.Headers.GetValues("HX-Trigger").Single();
        await Assert.That(trigger).Contains("Session booked.");
        await Assert.That(trigger).Contains("sessions-changed");
        await Assert.That(fromApi.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(fromApi.Headers.Any(h => h.Key.StartsWith("HX-", StringComparison.Ordinal))).IsFalse();
    }

    [Test]
    public async Task A_booking_made_by_someone_else_cannot_be_claimed()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var owner = await RealtorAsync();
        var thief = await RealtorAsync();
        var booking = await BookInCalendlyAsync(coach, "owner@example.test", owner.BookingRef);

        var response = await thief.Browser.PostJsonAsync("/api/calendly/bookings",
            new { coachId = coach.UserId, eventUri = booking.Event, inviteeUri = booking.Invitee });

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Forbidden);
        await using var db = await app.Database.OpenAsync();
        await Assert.That(await db.ExecuteScalarAsync<int>("select count(*) from sessions where invitee_uri = @Invitee", new { booking.Invitee })).IsEqualTo(0);
    }

    [Test]
    public async Task An_event_the_coach_does_not_host_is_not_found()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var other = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var realtor = await RealtorAsync();
        var booking = await BookInCalendlyAsync(other, "r@example.test", realtor.BookingRef);

        var response = await realtor.Browser.PostJsonAsync("/api/calendly/bookings",
            new { coachId = coach.UserId, eventUri = booking.Event, inviteeUri = booking.Invitee });
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Malformed_bookings_name_each_field()
    {
        var realtor = await RealtorAsync();
        var response = await realtor.Browser.PostJsonAsync("/api/calendly/bookings",
            new { eventUri = "https://api.calendly.com/scheduled_events/A", inviteeUri = "https://api.calendly.com/scheduled_events/B/invitees/C" });
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        var details = (await Browser.JsonAsync(response)).GetProperty("error").GetProperty("details");
        await Assert.That(details.TryGetProperty("coachId", out _)).IsTrue();
        await Assert.That(details.GetProperty("inviteeUri")[0].GetString()).Contains("belong to the event");

        var garbage = await realtor.Browser.PostJsonAsync("/api/calendly/bookings", new { coachId = 1, eventUri = "nope", inviteeUri = "" });
        var garbageDetails = (await Browser.JsonAsync(garbage)).GetProperty("error").GetProperty("details");
        await Assert.That(garbageDetails.TryGetProperty("eventUri", out _)).IsTrue();
        await Assert.That(garbageDetails.TryGetProperty("inviteeUri", out _)).IsTrue();
    }
}
