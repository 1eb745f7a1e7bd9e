using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using App.Infrastructure.Calendly;
using App.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static App.Tests.Support.NativeBookings;
using static App.Tests.Support.ApiResponses;

namespace App.Tests.Features.NativeBooking;

[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed class BookSessionTests(AppFixture app)
{
    private Task<Realtor> RealtorAsync(string timeZone = "UTC") => NativeBookings.RealtorAsync(app.Host, app.Database, timeZone);

    private Task<ConnectedCoaches.ConnectedCoach> CoachAsync() => ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);

    /// <summary>A coach, a realtor, and a free time of the coach's one-on-one event type the realtor has seen.</summary>
    private async Task<(ConnectedCoaches.ConnectedCoach Coach, Realtor Realtor, string EventUri, DateTimeOffset Start)> SlotAsync(
        string timeZone = "UTC")
    {
        var coach = await CoachAsync();
        var realtor = await RealtorAsync(timeZone);
        var eventUri = coach.Account.EventTypes[0];
        return (coach, realtor, eventUri, (await FreeStartsAsync(realtor.Browser, eventUri))[0]);
    }

    private static object Body(string eventUri, DateTimeOffset start) => new { eventUri, startTime = Iso(start) };

    [Test]
    [NeedsSlices("Scheduled")]
    public async Task A_realtor_books_a_free_time_and_gets_the_session_as_their_list_shows_it()
    {
        var (coach, realtor, eventUri, start) = await SlotAsync("Asia/Tokyo");

        var response = await BookAsync(realtor.Browser, Body(eventUri, start), NewKey());

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Created);
        await Assert.That(Replayed(response)).IsFalse();
        var session = await DataAsync(response);
        await Assert.That(session.GetProperty("startTime").GetDateTimeOffset()).IsEqualTo(start);
        await Assert.That(session.GetProperty("status").GetString()).IsEqualTo("active");
        var listed = (await DataAsync(await realtor.Browser.GetAsync("/api/calendly/events/scheduled"))).GetProperty("items").EnumerateArray()
            .Single(item => item.GetProperty("uuid").GetString() == session.GetProperty("uuid").GetString());
        await Assert.That(session.GetRawText()).IsEqualTo(listed.GetRawText());

        // Calendly's invitee is the realtor, in their time zone, tagged for the webhook that follows and with this attempt's reference.
        var inviteeUri = session.GetProperty("invitees")[0].GetProperty("uri").GetString()!;
        var invitee = (await CalendlyAsync(app.Simulator, coach, inviteeUri)).GetProperty("resource");
        await Assert.That(invitee.GetProperty("email").GetString()).IsEqualTo(realtor.Email);
        await Assert.That(invitee.GetProperty("name").GetString()).IsEqualTo(realtor.Email.Split('@')[0]);
        await Assert.That(invitee.GetProperty("timezone").GetString()).IsEqualTo("Asia/Tokyo");
        await Assert.That(invitee.GetProperty("tracking").GetProperty("utm_content").GetString()).IsEqualTo(realtor.BookingRef);
        await using var db = await app.Database.OpenAsync();
        var reference = await db.ExecuteScalarAsync<string>("select reference from booking_attempts where user_id = @Id", new { realtor.Id });
        await Assert.That(invitee.GetProperty("tracking").GetProperty("utm_term").GetString()).IsEqualTo(reference);
        var row = await db.QuerySingleAsync<(long RealtorId, long CoachId, string Source)>(
            "select realtor_id, coach_id, source from sessions where invitee_uri = @inviteeUri", new { inviteeUri });
        await Assert.That(row).IsEqualTo((realtor.Id, coach.UserId, "booking"));
    }

    [Test]
    [NeedsSlices("Cancel", "Scheduled")]
    public async Task A_realtor_cancels_the_session_they_booked_in_the_app()
    {
        var (coach, realtor, eventTypeUri, start) = await SlotAsync();
        var booked = await DataAsync(await BookAsync(realtor.Browser, Body(eventTypeUri, start), NewKey()));
        var uuid = booked.GetProperty("uuid").GetString()!;

        var canceled = await realtor.Browser.PostJsonAsync("/api/calendly/events/cancel", new { uuid, reason = "Sick child" });

        await Assert.That(canceled.StatusCode).IsEqualTo(HttpStatusCode.OK);
        var inviteeUri = booked.GetProperty("invitees")[0].GetProperty("uri").GetString()!;
        var eventUri = (await CalendlyAsync(app.Simulator, coach, inviteeUri)).GetProperty("resource").GetProperty("event").GetString()!;
        var scheduled = (await CalendlyAsync(app.Simulator, coach, eventUri)).GetProperty("resource");
        await Assert.That(scheduled.GetProperty("status").GetString()).IsEqualTo("canceled");
        var listed = await DataAsync(await realtor.Browser.GetAsync("/api/calendly/events/scheduled?status=canceled"));
        await Assert.That(listed.GetProperty("items").EnumerateArray().Any(item => item.GetProperty("uuid").GetString() == uuid)).IsTrue();
    }

    [Test]
    public async Task A_time_zone_in_the_request_is_the_invitee_s_instead_of_the_realtor_s()
    {
        var (coach, realtor, eventUri, start) = await SlotAsync();

        var response = await BookAsync(realtor.Browser, new { eventUri, startTime = Iso(start), timeZone = "Europe/Paris" }, NewKey());

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Created);
        var inviteeUri = (await DataAsync(response)).GetProperty("invitees")[0].GetProperty("uri").GetString()!;
        var invitee = (await CalendlyAsync(app.Simulator, coach, inviteeUri)).GetProperty("resource");
        await Assert.That(invitee.GetProperty("timezone").GetString()).IsEqualTo("Europe/Paris");
    }

    [Test]
    [Arguments("coach")]
    [Arguments("admin")]
    public async Task Only_realtors_book(string role)
    {
        var browser = await ConnectedCoaches.SignedInAsync(app.Host, $"{role}-{Guid.NewGuid():N}", role);
        var coach = await CoachAsync();

        await ErrorOf(await BookAsync(browser, Body(coach.Account.EventTypes[0], DateTimeOffset.UtcNow.AddDays(1)), NewKey()),
            HttpStatusCode.Forbidden, "forbidden");
        await ErrorOf(await BookAsync(app.NewBrowser(), Body(coach.Account.EventTypes[0], DateTimeOffset.UtcNow.AddDays(1)), NewKey()),
            HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Test]
    public async Task A_request_without_an_Idempotency_Key_is_refused_naming_the_header()
    {
        var (_, realtor, eventUri, start) = await SlotAsync();

        var error = await ErrorOf(await BookAsync(realtor.Browser, Body(eventUri, start), key: null), HttpStatusCode.BadRequest, "validation_failed");

        await Assert.That(error.GetProperty("details").TryGetProperty("Idempotency-Key", out _)).IsTrue();
    }

    [Test]
    public async Task Every_wrong_field_is_named_and_a_refused_request_does_not_use_up_its_key()
    {
        var (coach, realtor, eventUri, start) = await SlotAsync();
        var key = NewKey();

        var error = await ErrorOf(await BookAsync(realtor.Browser, new
        {
            eventUri = "https://api.calendly.com/users/nobody",
            startTime = Iso(DateTimeOffset.UtcNow.AddHours(-1)),
            timeZone = "Mars/Olympus_Mons",
            answers = new[] { new { question = "", answer = "x" } },
            guests = new[] { "not an email" },
            location = " ",
        }, key), HttpStatusCode.BadRequest, "validation_failed");

        var named = error.GetProperty("details").EnumerateObject().Select(p => p.Name).ToList();
        await Assert.That(named).IsEquivalentTo(["eventUri", "startTime", "timeZone", "answers[0]", "guests[0]", "location"]);
        // Put right, the same key books.
        await Assert.That((await BookAsync(realtor.Browser, Body(eventUri, start), key)).StatusCode).IsEqualTo(HttpStatusCode.Created);
        await Assert.That(await CalendlyBookingsAsync(app.Simulator, coach, realtor.Email)).IsEqualTo(1);
    }

    [Test]
    public async Task The_same_key_again_answers_the_first_answer_and_books_once()
    {
        var (coach, realtor, eventUri, start) = await SlotAsync();
        var key = NewKey();

        var first = await BookAsync(realtor.Browser, Body(eventUri, start), key);
        var again = await BookAsync(realtor.Browser, Body(eventUri, start), key);

        await Assert.That(first.StatusCode).IsEqualTo(HttpStatusCode.Created);
        await Assert.That(again.StatusCode).IsEqualTo(HttpStatusCode.Created);
        await Assert.That(Replayed(again)).IsTrue();
        await Assert.That((await DataAsync(again)).GetRawText()).IsEqualTo((await DataAsync(first)).GetRawText());
        await Assert.That(await CalendlyBookingsAsync(app.Simulator, coach, realtor.Email)).IsEqualTo(1);
    }

    [Test]
    public async Task A_repeat_while_the_first_is_in_flight_waits_for_it_and_answers_the_same()
    {
        var (coach, realtor, eventUri, start) = await SlotAsync();
        // Calendly takes its time with this coach's bookings, so both requests are in flight together.
        await app.Simulator.SetFaultsAsync(new { latencyMs = 1500, endpoints = new[] { "POST /invitees" }, user = coach.Account.Uri });
        var key = NewKey();

        var answers = await Task.WhenAll(BookAsync(realtor.Browser, Body(eventUri, start), key), BookAsync(realtor.Browser, Body(eventUri, start), key));

        await Assert.That(answers.Select(a => a.StatusCode)).IsEquivalentTo([HttpStatusCode.Created, HttpStatusCode.Created]);
        await Assert.That(answers.Count(Replayed)).IsEqualTo(1);
        await Assert.That((await DataAsync(answers[0])).GetRawText()).IsEqualTo((await DataAsync(answers[1])).GetRawText());
        await Assert.That(await CalendlyBookingsAsync(app.Simulator, coach, realtor.Email)).IsEqualTo(1);
    }

    [Test]
    public async Task A_key_sent_again_with_another_booking_is_refused()
    {
        var coach = await CoachAsync();
        var realtor = await RealtorAsync();
        var eventUri = coach.Account.EventTypes[0];
        var starts = await FreeStartsAsync(realtor.Browser, eventUri);
        var key = NewKey();
        await BookAsync(realtor.Browser, Body(eventUri, starts[0]), key);

        await ErrorOf(await BookAsync(realtor.Browser, Body(eventUri, starts[1]), key), HttpStatusCode.Conflict, "idempotency_key_reused");

        await Assert.That(await CalendlyBookingsAsync(app.Simulator, coach, realtor.Email)).IsEqualTo(1);
    }

    [Test]
    public async Task A_taken_time_is_409_with_the_next_free_times_of_that_day()
    {
        var coach = await CoachAsync();
        var (first, second) = (await RealtorAsync(), await RealtorAsync());
        var eventUri = coach.Account.EventTypes[0];
        var nine = await FreeNineOClockAsync(first.Browser, eventUri);
        await BookAsync(first.Browser, Body(eventUri, nine), NewKey());
        var key = NewKey();

        var error = await ErrorOf(await BookAsync(second.Browser, Body(eventUri, nine), key), HttpStatusCode.Conflict, "slot_unavailable");

        var nextSlots = error.GetProperty("details").GetProperty("nextSlots").EnumerateArray().Select(s => s.GetDateTimeOffset()).ToList();
        await Assert.That(nextSlots).IsEquivalentTo(Enumerable.Range(1, 5).Select(n => nine.AddMinutes(30 * n)));
        // Decided, so kept: the same key answers the same refusal.
        var again = await BookAsync(second.Browser, Body(eventUri, nine), key);
        await ErrorOf(again, HttpStatusCode.Conflict, "slot_unavailable");
        await Assert.That(Replayed(again)).IsTrue();
    }

    [Test]
    public async Task Required_questions_and_a_location_asked_of_the_invitee_are_checked_before_Calendly_is_asked()
    {
        // The event type exists before the coach connects: the app's cached lists of a coach's event types (which other
        // tests' look-ups may fill at any moment; Calendly's event_type.created webhook empties them) would not know it.
        var account = (await app.Simulator.CreateUsersAsync(1))[0];
        var created = await app.Simulator.Http.PostAsJsonAsync("_sim/event_types", new
        {
            owner = account.Uri, name = "Listing Review", durationMinutes = 30,
            location = new { kind = "outbound_call" },
            customQuestions = new object[]
            {
                new { name = "Which listing?", type = "string", required = true },
                new { name = "Market", type = "single_select", required = false, answerChoices = new[] { "Urban", "Rural" } },
            },
        });
        created.EnsureSuccessStatusCode();
        var eventUri = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("uri").GetString()!;
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator, account);
        var realtor = await RealtorAsync();
        var start = (await FreeStartsAsync(realtor.Browser, eventUri))[0];

        var unanswered = await ErrorOf(await BookAsync(realtor.Browser, Body(eventUri, start), NewKey()), HttpStatusCode.BadRequest, "validation_failed");
        await Assert.That(unanswered.GetProperty("details").GetProperty("answers")[0].GetString()).Contains("Which listing?");
        await Assert.That(unanswered.GetProperty("details").TryGetProperty("location", out _)).IsTrue();

        var wrong = await ErrorOf(await BookAsync(realtor.Browser, new
        {
            eventUri, startTime = Iso(start), location = "+14155550100",
            answers = new[] { new { question = "Which listing?", answer = "12 Elm St" }, new { question = "Market", answer = "Lunar" },
                new { question = "which listing?", answer = "twice" } },
        }, NewKey()), HttpStatusCode.BadRequest, "validation_failed");
        var named = wrong.GetProperty("details").EnumerateObject().Select(p => p.Name).ToList();
        await Assert.That(named).IsEquivalentTo(["answers[1]", "answers[2]"]);
        await Assert.That(await CalendlyBookingsAsync(app.Simulator, coach, realtor.Email)).IsEqualTo(0);

        var booked = await BookAsync(realtor.Browser, new
        {
            eventUri, startTime = Iso(start), location = "+14155550100",
            answers = new[] { new { question = "Which listing?", answer = "12 Elm St" }, new { question = "Market", answer = "Rural" } },
        }, NewKey());
        await Assert.That(booked.StatusCode).IsEqualTo(HttpStatusCode.Created);
        var session = await DataAsync(booked);
        var invitee = (await CalendlyAsync(app.Simulator, coach, session.GetProperty("invitees")[0].GetProperty("uri").GetString()!)).GetProperty("resource");
        var answers = invitee.GetProperty("questions_and_answers").EnumerateArray()
            .Select(a => (a.GetProperty("question").GetString()!, a.GetProperty("answer").GetString()!)).ToList();
        await Assert.That(answers).IsEquivalentTo([("Which listing?", "12 Elm St"), ("Market", "Rural")]);
        var scheduled = (await CalendlyAsync(app.Simulator, coach, session.GetProperty("uri").GetString()!)).GetProperty("resource");
        await Assert.That(scheduled.GetProperty("location").GetProperty("location").GetString()).IsEqualTo("+14155550100");
    }

    [Test]
    public async Task A_coach_whose_connection_may_not_book_is_403_calendly_scope_missing()
    {
        var account = (await app.Simulator.CreateUsersAsync(1))[0];
        var tokens = await app.Simulator.IssueTokensAsync(account.Uri, "users:read event_types:read availability:read scheduled_events:read");
        var coachId = await ConnectedCoaches.CreateUserAsync(app.Database, $"coach-{Guid.NewGuid():N}", "coach");
        await ConnectedCoaches.SaveAsync(app.Host, coachId, account, tokens);
        var realtor = await RealtorAsync();
        var start = (await FreeStartsAsync(realtor.Browser, account.EventTypes[0]))[0];
        var key = NewKey();

        var error = await ErrorOf(await BookAsync(realtor.Browser, Body(account.EventTypes[0], start), key), HttpStatusCode.Forbidden,
            "calendly_scope_missing");

        await Assert.That(error.GetProperty("details").GetProperty("requiredScopes").EnumerateArray().Select(s => s.GetString()))
            .Contains("scheduled_events:write");
        await Assert.That(Replayed(await BookAsync(realtor.Browser, Body(account.EventTypes[0], start), key))).IsTrue();
    }

    [Test]
    public async Task A_coach_who_must_reconnect_or_has_disconnected_is_409()
    {
        var (coach, realtor, eventUri, start) = await SlotAsync();
        await using var db = await app.Database.OpenAsync();

        await db.ExecuteAsync("update calendly_integrations set status = 'needs_reconnect' where user_id = @UserId", new { coach.UserId });
        await ErrorOf(await BookAsync(realtor.Browser, Body(eventUri, start), NewKey()), HttpStatusCode.Conflict, "calendly_reconnect_required");

        await db.ExecuteAsync("delete from calendly_integrations where user_id = @UserId", new { coach.UserId });
        await ErrorOf(await BookAsync(realtor.Browser, Body(eventUri, start), NewKey()), HttpStatusCode.Conflict, "calendly_not_connected");
    }
}
