using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using App.Tests.Support;
using Dapper;
using static App.Tests.Support.NativeBookings;

namespace App.Tests.Features.NativeBooking;

/// <summary>The booking dialog's page routes: the form a free time opens, its 422 re-renders, its one booking per form, the .ics.</summary>
[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed partial class BookingPageTests(AppFixture app)
{
    private const string WhichListing = "Which listing?";
    private const string Notes = "Please share anything that will help prepare for our meeting.";

    private Task<Realtor> RealtorAsync(string timeZone = "UTC") => NativeBookings.RealtorAsync(app.Host, app.Database, timeZone);

    private static string FormUrl(long coachId, string eventUri, DateTimeOffset start) =>
        $"/coaches/{coachId}/book-a-time?eventTypeUri={Uri.EscapeDataString(eventUri)}&startTime={Uri.EscapeDataString(Iso(start))}";

    /// <summary>A coach (in New York) with an event type that asks a required question, a choice, the notes question and the realtor's phone.</summary>
    private async Task<(ConnectedCoaches.ConnectedCoach Coach, string EventUri)> ListingReviewAsync()
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
                new { name = WhichListing, type = "string", required = true },
                new { name = "Market", type = "single_select", required = false, answerChoices = new[] { "Urban", "Rural" } },
                new { name = Notes, type = "text", required = false },
            },
        });
        created.EnsureSuccessStatusCode();
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator, account);
        await using (var db = await app.Database.OpenAsync())
            await db.ExecuteAsync("update users set time_zone = 'America/New_York' where id = @UserId", new { coach.UserId });
        return (coach, (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("uri").GetString()!);
    }

    private static async Task<string> HtmlAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var html = await response.Content.ReadAsStringAsync();
        await Assert.That(response.StatusCode).IsEqualTo(status).Because(html);
        return html;
    }

    private static string KeyOf(string html) => IdempotencyKey().Match(html).Groups[1].Value;

    /// <summary>The form as a browser posts it: hidden fields kept, the given answers filled in.</summary>
    private static Dictionary<string, string> Filled(string html, IReadOnlyDictionary<string, string>? answers = null)
    {
        var form = HiddenField().Matches(html).Where(m => m.Groups[1].Value != "__RequestVerificationToken")
            .ToDictionary(m => m.Groups[1].Value, m => WebUtility.HtmlDecode(m.Groups[2].Value));
        foreach (var (name, value) in answers ?? new Dictionary<string, string>()) form[name] = value;
        return form;
    }

    [Test]
    public async Task The_form_shows_the_time_in_both_zones_the_questions_as_fields_and_the_phone_the_coach_calls()
    {
        var (coach, eventUri) = await ListingReviewAsync();
        var realtor = await RealtorAsync("Asia/Tokyo");
        var start = (await FreeStartsAsync(realtor.Browser, eventUri))[0];

        var page = await HtmlAsync(await realtor.Browser.GetAsync(FormUrl(coach.UserId, eventUri, start)), HttpStatusCode.OK);
        var fragment = await HtmlAsync(await realtor.Browser.GetAsync(FormUrl(coach.UserId, eventUri, start), htmx: true), HttpStatusCode.OK);

        await Assert.That(page).Contains("<h1>Book a session</h1>");
        await Assert.That(fragment).DoesNotContain("<html");
        string Shown(string zone) => TimeZoneInfo.ConvertTime(start, TimeZoneInfo.FindSystemTimeZoneById(zone))
            .ToString("ddd d MMM, HH:mm", CultureInfo.InvariantCulture);
        await Assert.That(fragment).Contains($"{Shown("Asia/Tokyo")}</time></strong> <span class=\"muted\">your time (Asia/Tokyo)");
        await Assert.That(fragment).Contains($"{Shown("America/New_York")} for the coach (America/New_York)");
        await Assert.That(fragment).Contains($"name=\"question0\" value=\"{WhichListing}\"");
        await Assert.That(fragment).Matches(new Regex("<input id=\"answer0\" name=\"answer0\" type=\"text\" value=\"\"\\s+required"));
        await Assert.That(fragment).Contains("type=\"radio\" name=\"answer1\" value=\"Rural\"");
        await Assert.That(fragment).Contains("<textarea id=\"answer2\" name=\"answer2\"");
        await Assert.That(fragment).Contains("Notes for the coach");
        await Assert.That(fragment).Contains("<input id=\"location\" name=\"location\" type=\"tel\"");
        await Assert.That(fragment).Contains("<input id=\"guests\" name=\"guests\"");
        await Assert.That(KeyOf(fragment)).IsNotEmpty();
        await Assert.That(KeyOf(page)).IsNotEqualTo(KeyOf(fragment));
        var onCalendly = WebUtility.HtmlEncode($"/coaches/{coach.UserId}/book?eventTypeUri={Uri.EscapeDataString(eventUri)}");
        await Assert.That(fragment).Contains($"href=\"{onCalendly}\"");
    }

    [Test]
    public async Task Missing_answers_come_back_422_beside_their_fields_and_the_same_form_sent_twice_books_once()
    {
        var (coach, eventUri) = await ListingReviewAsync();
        var realtor = await RealtorAsync();
        var start = (await FreeStartsAsync(realtor.Browser, eventUri))[0];
        var url = $"/coaches/{coach.UserId}/book-a-time";
        var form = await HtmlAsync(await realtor.Browser.GetAsync(FormUrl(coach.UserId, eventUri, start)), HttpStatusCode.OK);

        var refused = await HtmlAsync(await realtor.Browser.PostFormAsync(url, Filled(form)), HttpStatusCode.UnprocessableEntity);

        await Assert.That(refused).Contains("<h1>Book a session</h1>");
        await Assert.That(refused).Contains("<span class=\"field-error\" id=\"answer0-error\">This question needs an answer.</span>");
        await Assert.That(refused).Contains("id=\"location-error\">is required: the coach calls you");
        // Not decided, so not kept: the form keeps its key and can be sent again once put right.
        await Assert.That(KeyOf(refused)).IsEqualTo(KeyOf(form));
        await Assert.That(await CalendlyBookingsAsync(app.Simulator, coach, realtor.Email)).IsEqualTo(0);

        var filled = Filled(refused, new Dictionary<string, string>
        {
            ["answer0"] = "12 Elm St", ["answer1"] = "Rural", ["answer2"] = "Bring the floor plan", ["location"] = "+14155550100",
        });
        var booked = await realtor.Browser.PostFormAsync(url, filled);
        var resent = await realtor.Browser.PostFormAsync(url, filled);
        var resentByHtmx = await realtor.Browser.PostFormAsync(url, filled, htmx: true);

        await Assert.That(booked.StatusCode).IsEqualTo(HttpStatusCode.Redirect);
        var confirmation = booked.Headers.Location!.OriginalString;
        await Assert.That(confirmation).Matches(new Regex("^/booked/[A-Za-z0-9-]+$"));
        await Assert.That(resent.Headers.Location!.OriginalString).IsEqualTo(confirmation);
        var dialog = await HtmlAsync(resentByHtmx, HttpStatusCode.OK);
        await Assert.That(dialog).Contains("Booked: Listing Review");
        var triggers = string.Join(",", resentByHtmx.Headers.GetValues("HX-Trigger"));
        await Assert.That(triggers).Contains("free-times-changed");
        await Assert.That(triggers).Contains("sessions-changed");
        await Assert.That(await CalendlyBookingsAsync(app.Simulator, coach, realtor.Email)).IsEqualTo(1);

        var answers = await SessionAnswersAsync(coach, realtor);
        await Assert.That(answers).IsEquivalentTo([(WhichListing, "12 Elm St"), ("Market", "Rural"), (Notes, "Bring the floor plan")]);
        var shown = await HtmlAsync(await realtor.Browser.GetAsync(confirmation), HttpStatusCode.OK);
        await Assert.That(shown).Contains("<h1>Session booked</h1>");
        await Assert.That(shown).Contains("Reschedule on Calendly");
        await Assert.That(shown).Contains("Cancel on Calendly");
        await Assert.That(shown).Contains($"href=\"{confirmation}/calendar.ics\"");
    }

    private async Task<IReadOnlyList<(string, string)>> SessionAnswersAsync(ConnectedCoaches.ConnectedCoach coach, Realtor realtor)
    {
        var events = await CalendlyAsync(app.Simulator, coach, $"scheduled_events?user={Uri.EscapeDataString(coach.Account.Uri)}"
            + $"&invitee_email={Uri.EscapeDataString(realtor.Email)}&status=active");
        var eventUri = events.GetProperty("collection")[0].GetProperty("uri").GetString()!;
        var invitees = await CalendlyAsync(app.Simulator, coach, $"{eventUri}/invitees");
        return [.. invitees.GetProperty("collection")[0].GetProperty("questions_and_answers").EnumerateArray()
            .Select(a => (a.GetProperty("question").GetString()!, a.GetProperty("answer").GetString()!))];
    }

    [Test]
    public async Task A_time_taken_meanwhile_comes_back_422_with_the_next_free_times_as_choices_and_a_new_key()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var (first, second) = (await RealtorAsync(), await RealtorAsync());
        var eventUri = coach.Account.EventTypes[0];
        var nine = await FreeNineOClockAsync(second.Browser, eventUri);
        var form = await HtmlAsync(await second.Browser.GetAsync(FormUrl(coach.UserId, eventUri, nine)), HttpStatusCode.OK);
        await BookAsync(first.Browser, new { eventUri, startTime = Iso(nine) }, NewKey());

        var refused = await HtmlAsync(await second.Browser.PostFormAsync($"/coaches/{coach.UserId}/book-a-time", Filled(form), htmx: true),
            HttpStatusCode.UnprocessableEntity);

        await Assert.That(refused).Contains("That time was just taken.");
        var choices = StartChoice().Matches(refused).Select(m => DateTimeOffset.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        await Assert.That(choices).IsEquivalentTo(Enumerable.Range(1, 5).Select(n => nine.AddMinutes(30 * n)));
        // The refusal is kept with the first key; the next try is an attempt of its own.
        await Assert.That(KeyOf(refused)).IsNotEqualTo(KeyOf(form));
    }

    [Test]
    public async Task The_calendar_file_and_the_confirmation_are_the_booking_realtor_s_alone()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var (realtor, other) = (await RealtorAsync(), await RealtorAsync());
        var eventUri = coach.Account.EventTypes[0];
        var start = (await FreeStartsAsync(realtor.Browser, eventUri))[0];
        var session = await DataAsync(await BookAsync(realtor.Browser, new { eventUri, startTime = Iso(start) }, NewKey()));
        var uuid = session.GetProperty("uuid").GetString()!;

        var response = await realtor.Browser.GetAsync($"/booked/{uuid}/calendar.ics");

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(response.Content.Headers.ContentType!.MediaType).IsEqualTo("text/calendar");
        var ics = await response.Content.ReadAsStringAsync();
        var lines = ics.Split("\r\n");
        await Assert.That(lines[0]).IsEqualTo("BEGIN:VCALENDAR");
        await Assert.That(lines).Contains("BEGIN:VEVENT");
        await Assert.That(lines).Contains($"DTSTART:{start.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}");
        await Assert.That(lines).Contains($"DTEND:{start.AddMinutes(30).UtcDateTime:yyyyMMdd'T'HHmmss'Z'}");
        await Assert.That(lines).Contains($"UID:{uuid}@calendly-slices");
        await Assert.That(lines.Any(line => line.StartsWith("SUMMARY:30 Minute Meeting with ", StringComparison.Ordinal))).IsTrue();
        await Assert.That(lines.All(line => System.Text.Encoding.UTF8.GetByteCount(line) <= 75)).IsTrue();
        await Assert.That(ics).EndsWith("END:VCALENDAR\r\n");

        await Assert.That((await other.Browser.GetAsync($"/booked/{uuid}/calendar.ics")).StatusCode).IsEqualTo(HttpStatusCode.NotFound);
        await Assert.That((await other.Browser.GetAsync($"/booked/{uuid}")).StatusCode).IsEqualTo(HttpStatusCode.NotFound);
    }

    [Test]
    [NeedsSlices("FreeTimes")]
    public async Task A_coach_whose_connection_may_not_book_gets_Calendly_s_page_from_the_grid_and_the_form_s_route()
    {
        var account = (await app.Simulator.CreateUsersAsync(1))[0];
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator, account,
            "users:read event_types:read availability:read scheduled_events:read webhooks:write");
        var realtor = await RealtorAsync();
        var eventUri = account.EventTypes[0];
        var start = (await FreeStartsAsync(realtor.Browser, eventUri))[0];
        var onCalendly = $"/coaches/{coach.UserId}/book?eventTypeUri={Uri.EscapeDataString(eventUri)}";

        var week = await HtmlAsync(await realtor.Browser.GetAsync($"/coaches/{coach.UserId}/free-times"), HttpStatusCode.OK);
        var form = await realtor.Browser.GetAsync(FormUrl(coach.UserId, eventUri, start));

        await Assert.That(week).Contains($"href=\"{WebUtility.HtmlEncode(onCalendly)}\"");
        await Assert.That(week).DoesNotContain("/book-a-time");
        await Assert.That(form.StatusCode).IsEqualTo(HttpStatusCode.Redirect);
        await Assert.That(form.Headers.Location!.OriginalString).IsEqualTo(onCalendly);
    }

    [Test]
    public async Task Only_realtors_get_the_form()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var coachBrowser = await ConnectedCoaches.SignedInAsync(app.Host, coach.ExternalId, "coach");
        var start = DateTimeOffset.UtcNow.AddDays(1);

        var response = await coachBrowser.GetAsync(FormUrl(coach.UserId, coach.Account.EventTypes[0], start));

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Forbidden);
    }

    [GeneratedRegex("""name="idempotencyKey" value="([^"]+)">""")]
    private static partial Regex IdempotencyKey();

    [GeneratedRegex("""<input type="hidden" name="([^"]+)" value="([^"]*)">""")]
    private static partial Regex HiddenField();

    [GeneratedRegex("""<input type="radio" name="startTime" value="([^"]+)" """)]
    private static partial Regex StartChoice();
}
