using System.Globalization;
using System.Net.Mail;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using App.Infrastructure.Caching;
using FluentValidation;
using Microsoft.AspNetCore.Mvc;
using App.Infrastructure.Security;

// A free time on a coach's week opens the app's booking form, when the coach's connection lets the app book.
[assembly: FreeTimeBooking("/coaches/{coachId}/book-a-time?eventTypeUri={eventTypeUri}&startTime={startTime}", Order = 1,
    NeedsScope = CalendlyScopes.ScheduledEventsWrite)]

namespace App.Features.NativeBooking;

/// <summary>
/// Booking inside the app with Calendly's Scheduling API (POST /invitees): the signed-in realtor books a coach's free
/// start time as the invitee, in their own time zone, and the answer is the session Calendly confirmed. Every attempt
/// carries an Idempotency-Key, so a retry, a double click, a second instance or a lost answer never books twice
/// (BookingAttempts); Calendly is asked by InviteeBooking, and the session row is written by NewSessions.
/// </summary>
public sealed partial class NativeBookingModule : ICarterModule
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    /// <summary>Marks an answer given again from an earlier attempt with the same key.</summary>
    public const string ReplayedHeader = "Idempotent-Replayed";
    public const int MaxKeyLength = 255;
    public const int MaxAnswers = 20;
    public const int MaxQuestionLength = 500;
    public const int MaxAnswerLength = 10_000;
    public const int MaxGuests = 10;
    public const int MaxLocationLength = 500;
    public const int MaxDaysAhead = 366;

    public sealed record BookSessionRequest(string? EventUri, string? StartTime, string? TimeZone, IReadOnlyList<BookSessionAnswer?>? Answers,
        IReadOnlyList<string?>? Guests, string? Location);

    /// <summary>An answer to one of the event type's questions, named by its exact text.</summary>
    public sealed record BookSessionAnswer(string? Question, string? Answer);

    /// <summary>
    /// What a booking came to: the session (201) or a refusal in the envelope's terms, for the JSON route to answer and a
    /// page to render. The decided ones (201, 403, 409, 429) are kept with the key and given again to every repeat;
    /// validation failures and 5xx are not, so the same key can be sent again once they are put right.
    /// </summary>
    public sealed record BookingOutcome(int Status, SessionItem? Session, BookingRefusal? Refusal, int? RetryAfterSeconds = null)
    {
        [JsonIgnore] public bool IsDecided => Status is StatusCodes.Status201Created or StatusCodes.Status403Forbidden
            or StatusCodes.Status409Conflict or StatusCodes.Status429TooManyRequests;

        /// <summary>Given again from an earlier attempt with the same key, without asking Calendly.</summary>
        [JsonIgnore] public bool Replayed { get; init; }

        public static BookingOutcome Booked(SessionItem session) => new(StatusCodes.Status201Created, session, null);

        public static BookingOutcome Refused(int status, string code, string message, object? details = null, int? retryAfterSeconds = null) =>
            new(status, null, new BookingRefusal(code, message, details), retryAfterSeconds);

        public static BookingOutcome Invalid(IDictionary<string, string[]> problems) =>
            Refused(StatusCodes.Status400BadRequest, "validation_failed", "The request is invalid.", problems);
    }

    public sealed record BookingRefusal(string Code, string Message, object? Details);

    /// <summary>What booking takes, bound as one parameter; every member is a service.</summary>
    public sealed record BookingServices(NpgsqlDataSource Db, CalendlyCalls Calls, ClusterCache Cache, CalendlyResilienceOptions Resilience,
        TimeProvider Clock, ILogger<NativeBookingModule> Logger);

    public sealed class BookSessionRequestValidator : AbstractValidator<BookSessionRequest>
    {
        public BookSessionRequestValidator(TimeProvider clock)
        {
            RuleFor(r => r.EventUri).Must(uri => uri is not null && EventTypeUri().IsMatch(uri))
                .WithMessage("must be a Calendly event type URI, such as https://api.calendly.com/event_types/{uuid}.");
            RuleFor(r => r.StartTime).Must(time => ParseStart(time) is not null)
                .WithMessage("must be an ISO-8601 date and time with an offset, such as 2026-03-09T14:00:00Z.")
                .Must(time => ParseStart(time) is not { } start || start > clock.GetUtcNow()).WithMessage("must be in the future.")
                .Must(time => ParseStart(time) is not { } start || start <= clock.GetUtcNow().AddDays(MaxDaysAhead))
                .WithMessage($"must be within the next {MaxDaysAhead} days.");
            RuleFor(r => r.TimeZone).Must(zone => zone is null || IanaZone(zone) is not null)
                .WithMessage("must be an IANA time zone, such as Europe/Berlin.");
            RuleFor(r => r.Answers).Must(answers => answers is null || answers.Count <= MaxAnswers)
                .WithMessage($"must hold at most {MaxAnswers} answers.");
            RuleForEach(r => r.Answers)
                .Must(answer => answer is { Question: { Length: > 0 and <= MaxQuestionLength } question } && !string.IsNullOrWhiteSpace(question))
                .WithMessage("must be { question, answer }, the question being one of the session type's, word for word.")
                .Must(answer => answer?.Answer is not { Length: > MaxAnswerLength })
                .WithMessage($"must have an answer of at most {MaxAnswerLength} characters.");
            RuleFor(r => r.Guests).Must(guests => guests is null || guests.Count <= MaxGuests)
                .WithMessage($"must list at most {MaxGuests} guests.");
            RuleForEach(r => r.Guests).Must(IsEmail).WithMessage("must be an email address.");
            RuleFor(r => r.Location).Must(location => location is null || location.Trim().Length is > 0 and <= MaxLocationLength)
                .WithMessage($"must be 1 to {MaxLocationLength} characters: your phone number, or where to meet.");
        }
    }

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapPost("/api/calendly/invitees", BookSession)
            .RequireAuthorization()
            .RateLimited(RateLimits.Bookings)
            .ProducesErrors(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound)
            .ProducesCalendlyErrors()
            .WithTags("Booking")
            .WithSummary("Book a free start time of a coach's event type as the signed-in realtor. Send an Idempotency-Key per booking "
                + "attempt: repeating it within 24 hours answers the first answer again and never books twice. A taken time answers "
                + "409 slot_unavailable with the next free times that day.");
    }

    public static async Task<Results<Created<Envelope<SessionItem>>, ApiErrorResult>> BookSession([FromBody] BookSessionRequest? request,
        [FromHeader(Name = IdempotencyKeyHeader)] string? idempotencyKey, HttpContext context, CurrentUser user,
        [AsParameters] BookingServices services, CancellationToken ct)
    {
        var outcome = await BookAsync(request, idempotencyKey, context, user, services, ct);
        if (outcome.Replayed) context.Response.Headers[ReplayedHeader] = "true";
        if (outcome.RetryAfterSeconds is { } seconds) context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return outcome.Session is { } session
            ? TypedResults.Created((string?)null, Envelope.Of(session))
            : new ApiErrorResult(outcome.Status, outcome.Refusal!.Code, outcome.Refusal.Message, outcome.Refusal.Details);
    }

    /// <summary>
    /// Books for the signed-in realtor, or says why not. The request and its key are checked here, so that every route
    /// booking through it refuses alike.
    /// </summary>
    public static async Task<BookingOutcome> BookAsync(BookSessionRequest? request, string? idempotencyKey, HttpContext context,
        CurrentUser user, BookingServices services, CancellationToken ct)
    {
        if (!user.IsRealtor)
            return BookingOutcome.Refused(StatusCodes.Status403Forbidden, "forbidden", "Only realtors book sessions; coaches are booked.");
        var problems = request is null
            ? new Dictionary<string, string[]> { ["body"] = ["is required."] }
            : await Validation.ProblemsAsync(context, request) ?? [];
        if (string.IsNullOrWhiteSpace(idempotencyKey) || idempotencyKey.Length > MaxKeyLength)
            problems[IdempotencyKeyHeader] = [$"is required: a header of 1 to {MaxKeyLength} characters, new for each booking attempt."];
        if (problems.Count > 0) return BookingOutcome.Invalid(problems);
        if (user.Email is null)
            return BookingOutcome.Refused(StatusCodes.Status409Conflict, "conflict",
                "Your account has no email address, and Calendly books invitees by email: sign in with an account that has one.");

        var asked = AskedBooking.Of(request!, user);
        var claim = await BookingAttempts.ClaimAsync(services.Db, user.Id, idempotencyKey!, asked.Fingerprint, Lease(services.Resilience), ct);
        if (claim.Answer is { } answered) return answered;

        var attempt = claim.Attempt!;
        BookingOutcome? outcome = null;
        try
        {
            // Not the caller's token: once claimed, the attempt is seen through and its outcome kept even if the caller leaves,
            // because a repeat will ask for it.
            using var work = new CancellationTokenSource(WorkBudget(services.Resilience));
            outcome = await InviteeBooking.AttemptAsync(attempt, asked, user, services, work.Token);
            return outcome;
        }
        finally
        {
            await BookingAttempts.FinishAsync(services.Db, attempt, outcome);
        }
    }

    // The calls an attempt makes, each within Calendly's deadline: the event type, the booking, and, when its answer is lost,
    // the two reads that settle it.
    private static TimeSpan WorkBudget(CalendlyResilienceOptions resilience) => resilience.Deadline * 4;

    // Longer than the work, so a repeat takes an attempt over only from an instance that died, never from one still at it.
    private static TimeSpan Lease(CalendlyResilienceOptions resilience) => WorkBudget(resilience) + TimeSpan.FromSeconds(10);

    /// <summary>An ISO-8601 instant with an offset, or null.</summary>
    internal static DateTimeOffset? ParseStart(string? text) =>
        text is not null && IsoInstant().IsMatch(text)
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var start)
            ? start.ToUniversalTime()
            : null;

    /// <summary>The IANA name Calendly wants for a time zone this machine knows (a Windows name is translated), or null.</summary>
    internal static string? IanaZone(string id) =>
        id.Length <= 64 && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone)
            ? zone.HasIanaId ? zone.Id : TimeZoneInfo.TryConvertWindowsIdToIanaId(zone.Id, out var iana) ? iana : null
            : null;

    private static bool IsEmail(string? text) =>
        text is { Length: <= 254 } && MailAddress.TryCreate(text, out var address) && address.Address == text;

    [GeneratedRegex(@"^https?://[^/?#\s]+(/[^?#\s]*)?/event_types/[A-Za-z0-9-]{1,64}/?$")]
    private static partial Regex EventTypeUri();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex IsoInstant();
}

/// <summary>A valid request, read: what the realtor asks to book with their own defaults filled in, and its fingerprint.</summary>
internal sealed record AskedBooking(string EventTypeUri, DateTimeOffset Start, string TimeZone, IReadOnlyList<NativeBookingModule.BookSessionAnswer> Answers,
    IReadOnlyList<string> Guests, string? Location, string Fingerprint)
{
    public static AskedBooking Of(NativeBookingModule.BookSessionRequest request, CurrentUser user)
    {
        var start = NativeBookingModule.ParseStart(request.StartTime)!.Value;
        var answers = (request.Answers ?? []).Select(answer => answer! with { Answer = answer.Answer?.Trim() }).ToList();
        var guests = (request.Guests ?? []).Select(guest => guest!).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var location = request.Location?.Trim();
        // Of the request as understood, so that the same booking sent again matches whatever its spacing or time format.
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(
            new { request.EventUri, start, request.TimeZone, answers, guests, location }, ApiJson.Options)));
        var zone = NativeBookingModule.IanaZone(request.TimeZone ?? user.TimeZone) ?? user.TimeZone;
        return new AskedBooking(request.EventUri!, start, zone, answers, guests, location, fingerprint);
    }
}
