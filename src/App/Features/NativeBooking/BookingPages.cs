using System.Globalization;
using System.Text.Json;
using Htmx;
using Microsoft.AspNetCore.WebUtilities;
using static App.Features.NativeBooking.NativeBookingModule;
using App.Infrastructure.Security;

namespace App.Features.NativeBooking;

/// <summary>
/// The booking dialog: a free time of the week grid opens a short form (the time in the realtor's zone and the coach's,
/// the event type's questions, the location it asks for, guests), which books through <see cref="NativeBookingModule.BookAsync"/>
/// under an idempotency key made when the form is shown, so a double click or a resubmitted page never books twice.
/// Then a confirmation with a calendar file and Calendly's reschedule and cancel links. With htmx all of it swaps inside
/// the page's dialog; without JavaScript each step is a page. A coach whose connection cannot book from the app is booked
/// on Calendly's embedded page instead (the Bookings slice's route, linked by URL).
/// </summary>
public sealed class BookingPages : ICarterModule
{
    public const string BookedPath = "/booked";
    private const string UuidPattern = "{uuid:regex(^[A-Za-z0-9-]{{1,64}}$)}";

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/coaches/{coachId:long}/book-a-time", ShowForm).RequireAuthorization().ExcludeFromDescription();
        app.MapPost("/coaches/{coachId:long}/book-a-time", Book).RequireAuthorization().RateLimited(RateLimits.Bookings).ExcludeFromDescription();
        app.MapGet($"{BookedPath}/{UuidPattern}", ShowBooked).RequireAuthorization().ExcludeFromDescription();
        app.MapGet($"{BookedPath}/{UuidPattern}/calendar.ics", DownloadCalendar).RequireAuthorization().ExcludeFromDescription();
    }

    /// <summary>The form for one free start time of one of the coach's event types.</summary>
    public static async Task<IResult> ShowForm(long coachId, string? eventTypeUri, string? startTime, HttpContext context, CurrentUser user,
        [AsParameters] BookingServices services, CancellationToken ct)
    {
        var start = ParseStart(startTime) ?? throw NoTimeChosen();
        var (coach, onCalendly) = await BookableCoachAsync(coachId, eventTypeUri, user, services, ct);
        if (onCalendly is not null) return Results.Redirect(onCalendly);
        var offer = await OfferAsync(coach, eventTypeUri!, services, ct);
        var form = BookingFormView.Blank(offer, start, user, Guid.NewGuid().ToString());
        return HtmxPages.PageOrPartial(context, BookingFormPage.Create(form), _BookingForm.Create(form));
    }

    /// <summary>
    /// Books what the form holds. Booked: the confirmation (htmx) or its page (a redirect, so that reloading it does not
    /// post again). Refused: the form again, 422, with the reason beside the field it concerns.
    /// </summary>
    public static async Task<IResult> Book(long coachId, HttpContext context, CurrentUser user, [AsParameters] BookingServices services,
        CancellationToken ct)
    {
        var posted = PostedBooking.Read(await context.Request.ReadFormAsync(ct));
        var (coach, onCalendly) = await BookableCoachAsync(coachId, posted.EventTypeUri, user, services, ct);
        if (onCalendly is not null) return Results.Redirect(onCalendly);

        var outcome = await BookAsync(posted.Request, posted.IdempotencyKey, context, user, services, ct);
        if (outcome.Session is { } session)
        {
            if (!context.Request.IsHtmx()) return Results.Redirect($"{BookedPath}/{session.Uuid}");
            var booked = await BookedSessions.FindAsync(services.Db, user, session.Uuid, ct)
                ?? throw new InvalidOperationException("A booked session was not found right after it was recorded.");
            context.Response.Toast("Session booked.");
            context.Response.Htmx(h => h.WithTrigger(PageEvents.FreeTimesChanged).WithTrigger(PageEvents.SessionsChanged));
            return _Booked.Create(booked);
        }

        // A decided refusal is kept with its key; the next try is a new attempt and needs a key of its own.
        var key = outcome.IsDecided || string.IsNullOrWhiteSpace(posted.IdempotencyKey) ? Guid.NewGuid().ToString() : posted.IdempotencyKey;
        // Read only now: a booking that goes through needs nothing of it here (BookAsync reads it for itself).
        var offer = await OfferAsync(coach, posted.EventTypeUri!, services, ct);
        var form = BookingFormView.Refused(offer, posted, outcome, user, key);
        var (page, partial) = (BookingFormPage.Create(form), _BookingForm.Create(form));
        page.StatusCode = partial.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return HtmxPages.PageOrPartial(context, page, partial);
    }

    /// <summary>The confirmation as a page: where a booking without JavaScript lands, and a link to come back to.</summary>
    public static async Task<IResult> ShowBooked(string uuid, HttpContext context, CurrentUser user, NpgsqlDataSource db, CancellationToken ct)
    {
        var booked = await BookedSessions.FindAsync(db, user, uuid, ct) ?? throw NotYours();
        return HtmxPages.PageOrPartial(context, BookedPage.Create(booked), _Booked.Create(booked));
    }

    /// <summary>The session as an iCalendar file, for the realtor who booked it only.</summary>
    public static async Task<IResult> DownloadCalendar(string uuid, CurrentUser user, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct)
    {
        var booked = await BookedSessions.FindAsync(db, user, uuid, ct) ?? throw NotYours();
        return Results.File(SessionCalendar.Of(booked, clock.GetUtcNow()), SessionCalendar.ContentType, $"session-{uuid}.ics");
    }

    internal static ApiException NoTimeChosen() =>
        new(StatusCodes.Status400BadRequest, "validation_failed", "Choose a free time from the coach's week to book it.",
            new Dictionary<string, string[]> { ["startTime"] = ["must be an ISO-8601 date and time with an offset."] });

    private static ApiException NotYours() => new(StatusCodes.Status404NotFound, "not_found", "You have no session with that id.");

    /// <summary>
    /// The connected coach the form books with, and, when their connection cannot book from the app, Calendly's embedded
    /// page to go to instead (the Bookings slice's route).
    /// </summary>
    private static async Task<(CalendlyCoach Coach, string? OnCalendly)> BookableCoachAsync(long coachId, string? eventTypeUri, CurrentUser user,
        BookingServices services, CancellationToken ct)
    {
        if (!user.IsRealtor)
            throw new ApiException(StatusCodes.Status403Forbidden, "forbidden", "Only realtors book sessions; coaches are booked.");
        if (eventTypeUri is null || !Uri.TryCreate(eventTypeUri, UriKind.Absolute, out _))
            throw new ApiException(StatusCodes.Status400BadRequest, "validation_failed", "Choose a free time from the coach's week to book it.",
                new Dictionary<string, string[]> { ["eventTypeUri"] = ["must be the event type's URI."] });
        CalendlyCoach? coach;
        await using (var connection = await services.Db.OpenConnectionAsync(ct))
            coach = await CalendlyCoach.FindAsync(connection, coachId, ct);
        if (coach is not { ConnectionStatus: CalendlyTokens.Active })
            throw new ApiException(StatusCodes.Status404NotFound, "not_found", "No connected coach has that id.");
        return (coach, coach.Grants(CalendlyScopes.ScheduledEventsWrite)
            ? null
            : QueryHelpers.AddQueryString($"/coaches/{coachId}/book", "eventTypeUri", eventTypeUri));
    }

    /// <summary>The coach's event type as Calendly describes it now (its questions, its location), read with the coach's token.</summary>
    private static async Task<Offer> OfferAsync(CalendlyCoach coach, string eventTypeUri, BookingServices services, CancellationToken ct)
    {
        EventType type;
        try
        {
            type = await services.Calls.RunAsync(coach.Id,
                (client, accessToken) => client.GetEventTypeAsync(accessToken, CalendlyClient.UuidOf(eventTypeUri), ct), ct);
        }
        catch (CalendlyException e) when (e.Failure is CalendlyFailure.NotFound or CalendlyFailure.Forbidden)
        {
            throw NoSuchSessionType(e);
        }
        if (type.Profile?.Owner?.TrimEnd('/') != coach.CalendlyUserUri.TrimEnd('/') || !type.Active || type.DeletedAt is not null)
            throw NoSuchSessionType();
        return new Offer(coach, type);
    }

    private static ApiException NoSuchSessionType(Exception? inner = null) =>
        new(StatusCodes.Status404NotFound, "not_found", "That coach offers no such session type.", inner: inner);
}

/// <summary>A coach's event type as the booking form offers it.</summary>
internal sealed record Offer(CalendlyCoach Coach, EventType Type);

/// <summary>The booking form as posted: the request for <see cref="NativeBookingModule.BookAsync"/> and the values to show again.</summary>
internal sealed record PostedBooking(string? EventTypeUri, string? StartTime, string? IdempotencyKey, IReadOnlyList<string> Answers,
    string? Location, string Guests, BookSessionRequest Request)
{
    public static PostedBooking Read(IFormCollection form)
    {
        string? Value(string name) => form[name].ToString() is { Length: > 0 } value ? value : null;
        // Each question's text is posted beside its answer, so an answer always goes with the question the realtor saw.
        var questions = Enumerable.Range(0, MaxAnswers).Select(i => (Question: Value($"question{i}"), Answer: string.Join('\n',
                form[$"answer{i}"].Where(value => !string.IsNullOrWhiteSpace(value)))))
            .TakeWhile(pair => pair.Question is not null).ToList();
        var guests = Value("guests") ?? "";
        var location = Value("location")?.Trim();
        var request = new BookSessionRequest(Value("eventTypeUri"), Value("startTime"), null,
            [.. questions.Select(pair => new BookSessionAnswer(pair.Question, pair.Answer))],
            [.. guests.Split([',', ';', ' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries)],
            string.IsNullOrEmpty(location) ? null : location);
        return new PostedBooking(request.EventUri, request.StartTime, Value("idempotencyKey"), [.. questions.Select(pair => pair.Answer)],
            location, guests, request);
    }
}

/// <summary>What the form shows: the time twice (the realtor's zone and the coach's), the fields, and what was wrong with them.</summary>
public sealed record BookingFormView(
    long CoachId, string CoachName, string EventTypeUri, string EventTypeName, int Duration,
    ShownTime When, IReadOnlyList<ShownTime> OtherTimes, IReadOnlyList<QuestionField> Questions,
    LocationField? Location, string Guests, string? GuestsError, string IdempotencyKey, string? Error)
{
    /// <summary>The one question Calendly puts on every new event type: where a realtor's notes for the coach go.</summary>
    public const string NotesQuestion = "Please share anything that will help prepare for our meeting.";

    internal static BookingFormView Blank(Offer offer, DateTimeOffset start, CurrentUser user, string key) =>
        Of(offer, start, user, key, answers: [], location: null, guests: "", problems: null, otherTimes: [], error: null);

    internal static BookingFormView Refused(Offer offer, PostedBooking posted, BookingOutcome outcome, CurrentUser user, string key)
    {
        // The form always posts a time it offered; only a hand-made post lacks one.
        var start = ParseStart(posted.StartTime) ?? throw BookingPages.NoTimeChosen();
        var problems = outcome.Refusal?.Code == "validation_failed" && outcome.Refusal.Details is IDictionary<string, string[]> fields
            ? new Dictionary<string, string[]>(fields)
            : null;
        IReadOnlyList<DateTimeOffset> otherTimes = outcome.Refusal?.Code == "slot_unavailable" ? NextSlots(outcome.Refusal.Details) : [];
        var error = outcome.Refusal?.Code switch
        {
            "validation_failed" => problems?.Keys.Any(field => !OnField(field)) == true
                ? string.Join(" ", problems.Where(p => !OnField(p.Key)).SelectMany(p => p.Value.Select(message => $"{Label(p.Key)} {message}")))
                : "Some answers need a second look.",
            "slot_unavailable" => otherTimes.Count > 0
                ? "That time was just taken. Pick another time that day:"
                : "That time was just taken, and the coach has no other free time that day. Pick another day in the coach's week.",
            _ => outcome.Refusal?.Message,
        };
        return Of(offer, start, user, key, posted.Answers, posted.Location, posted.Guests, problems,
            otherTimes, error);
    }

    private static BookingFormView Of(Offer offer, DateTimeOffset start, CurrentUser user, string key,
        IReadOnlyList<string> answers, string? location, string guests, Dictionary<string, string[]>? problems,
        IReadOnlyList<DateTimeOffset> otherTimes, string? error)
    {
        var type = offer.Type;
        string? Problem(string field) => problems?.TryGetValue(field, out var messages) == true ? string.Join(" ", messages) : null;
        var viewer = ShownTime.Zone(user.TimeZone);
        var coach = ShownTime.Zone(offer.Coach.TimeZone);
        var enabled = (type.CustomQuestions ?? []).Where(q => q.Enabled != false).OrderBy(q => q.Position).ToList();
        string? Unanswered(CustomQuestion question) =>
            problems?.GetValueOrDefault("answers")?.Any(m => m.StartsWith($"\"{question.Name}\"", StringComparison.Ordinal)) == true
                ? "This question needs an answer."
                : null;
        var questions = enabled.Select((q, i) => new QuestionField(i, q.Name, q.Type ?? "string", q.Required == true,
            q.AnswerChoices ?? [], i < answers.Count ? answers[i] : "", Problem($"answers[{i}]") ?? Unanswered(q))).ToList();
        var guestProblems = problems?.Where(p => p.Key.StartsWith("guests", StringComparison.Ordinal)).SelectMany(p => p.Value).ToList() ?? [];
        var asks = type.Locations?.FirstOrDefault() is { Kind: "outbound_call" or "ask_invitee" } kind ? kind.Kind : null;
        // Named as the coach's week and the confirmation name them.
        return new BookingFormView(offer.Coach.Id, offer.Coach.Name, type.Uri, type.Name, type.Duration,
            ShownTime.Of(start, viewer, coach), [.. otherTimes.Select(time => ShownTime.Of(time, viewer, coach))],
            questions, asks is null ? null : new LocationField(asks == "outbound_call", location ?? "", Problem("location")),
            guests, guestProblems.Count > 0 ? string.Join(" ", guestProblems) : null, key, error);
    }

    /// <summary>A problem the form shows beside a field of its own rather than at the top.</summary>
    private static bool OnField(string field) =>
        field is "answers" or "location" || field.StartsWith("answers[", StringComparison.Ordinal) || field.StartsWith("guests", StringComparison.Ordinal);

    private static string Label(string field) => field switch
    {
        "startTime" => "The time",
        "eventUri" => "The session type",
        IdempotencyKeyHeader => "The form",
        _ => field,
    };

    private static IReadOnlyList<DateTimeOffset> NextSlots(object? details) =>
        details is null ? [] : JsonSerializer.SerializeToElement(details, ApiJson.Options) is { ValueKind: JsonValueKind.Object } json
            && json.TryGetProperty("nextSlots", out var slots)
            ? [.. slots.EnumerateArray().Select(slot => slot.GetDateTimeOffset())]
            : [];
}

/// <summary>An instant as the realtor and the coach read it, each in their own zone.</summary>
public sealed record ShownTime(string Iso, string Viewer, string ViewerZone, string Coach, string CoachZone)
{
    public bool SameZone => ViewerZone == CoachZone;

    internal static ShownTime Of(DateTimeOffset instant, TimeZoneInfo viewer, TimeZoneInfo coach) =>
        new(IsoTime.Seconds(instant), Format(instant, viewer), viewer.Id, Format(instant, coach), coach.Id);

    internal static TimeZoneInfo Zone(string id) => TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;

    private static string Format(DateTimeOffset instant, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(instant, zone).ToString("ddd d MMM, HH:mm", CultureInfo.InvariantCulture);
}

/// <summary>
/// One of the event type's questions as a form field: <c>question{Index}</c> carries its text, <c>answer{Index}</c> the answer
/// (several, for a multiple choice).
/// </summary>
public sealed record QuestionField(int Index, string Text, string Type, bool Required, IReadOnlyList<string> Choices, string Answer, string? Error)
{
    public string Id => $"answer{Index}";
    public bool IsNotes => Text == BookingFormView.NotesQuestion;
    public bool Chosen(string choice) => Answer.Split('\n').Contains(choice);
}

/// <param name="Phone">The coach calls the realtor (outbound_call); otherwise the event type asks where to meet (ask_invitee).</param>
public sealed record LocationField(bool Phone, string Value, string? Error);
