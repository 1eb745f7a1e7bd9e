using System.Net.Mail;
using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.OAuth;
using Calendly.Simulator.Resources;
using Calendly.Simulator.Scheduling;
using Calendly.Simulator.Traffic;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Api;

/// <summary>
/// POST /invitees, Calendly's Scheduling API (calendly-api.md §4.10): books an invitee into a free start time of an event
/// type without the booking page, on the invitee's behalf. Every plan may use it since 2026-11-03, within its own
/// per-plan booking limits, which come on top of the general per-user limit.
/// </summary>
public static class SchedulingApi
{
    public const int MaxGuests = 10;
    public const string SchedulingMethod = "instant_book";

    public sealed record InviteeFields(string? Email, string? Timezone, string? Name, string? FirstName, string? LastName,
        string? TextReminderNumber);

    public sealed record LocationFields(string? Kind, string? Location);

    public sealed record AnswerFields(string? Question, string? Answer, int? Position);

    public sealed record CreateInviteeRequest(string? EventType, string? StartTime, InviteeFields? Invitee, LocationFields? Location,
        IReadOnlyList<AnswerFields?>? QuestionsAndAnswers, Tracking? Tracking, IReadOnlyList<string?>? EventGuests);

    public static void Map(IEndpointRouteBuilder api) => api.MapPost("/invitees", CreateAsync).RequiresScope(Scopes.ScheduledEventsWrite);

    private static async Task<IResult> CreateAsync(HttpRequest request, Caller caller, WorldStore world, Bookings bookings,
        BookingBudget budget, ResourceUris uris, TimeProvider clock)
    {
        if (budget.Take(caller.User) is { } decision)
        {
            // On this route the headers describe the booking budget, the one a client must pace itself by.
            decision.WriteHeaders(request.HttpContext.Response);
            if (!decision.Allowed) return CalendlyErrors.TooManyRequests();
        }
        var (body, error) = await RequestBody.ReadAsync<CreateInviteeRequest>(request, CalendlyJson.Options, request.HttpContext.RequestAborted);
        if (error is not null) return error;
        body ??= new CreateInviteeRequest(null, null, null, null, null, null, null);

        var errors = new List<ErrorDetail>();
        var typeUuid = CheckEventType(body.EventType, errors);
        var start = CheckStartTime(body.StartTime, clock.GetUtcNow(), errors);
        var invitee = CheckInvitee(body.Invitee, errors);
        var guests = CheckGuests(body.EventGuests, errors);
        var given = (body.QuestionsAndAnswers ?? []).Select(a => new GivenAnswer(a?.Question, a?.Answer)).ToList();
        if (errors.Count > 0) return CalendlyErrors.InvalidArgument(errors);

        var checkedForm = world.Locked(w =>
        {
            if (!w.EventTypes.TryGetValue(typeUuid!, out var type) || type.DeletedAt is not null || !type.Active)
                return (Refusal: CalendlyErrors.NotFound(), Details: null);
            if (!caller.CanActFor(w.Users[type.OwnerUuid])) return (Refusal: CalendlyErrors.PermissionDenied(), Details: null);
            var answers = BookingForm.CheckAnswers(type, given, errors);
            var location = BookingForm.CheckLocation(type, body.Location?.Kind, body.Location?.Location, body.Location is not null, errors);
            return errors.Count > 0
                ? (Refusal: CalendlyErrors.InvalidArgument(errors), Details: null)
                : (Refusal: (IResult?)null, Details: invitee! with
                {
                    QuestionsAndAnswers = answers, LocationValue = location, Guests = guests, Tracking = body.Tracking ?? new Tracking(),
                    SchedulingMethod = SchedulingMethod, ScheduledByUuid = caller.User.Uuid,
                });
        });
        if (checkedForm.Refusal is { } refusal) return refusal;

        var result = bookings.Book(typeUuid!, start!.Value, checkedForm.Details!);
        if (result.Refusal is { } slotRefusal)
            // Calendly documents no error for a start time that cannot be booked; a 400 naming start_time is the reference's guess.
            return slotRefusal.Status == StatusCodes.Status404NotFound ? CalendlyErrors.NotFound() : CalendlyErrors.InvalidArgument("start_time", slotRefusal.Message);
        return world.Locked(w => CalendlyResults.Resource(InviteeResource.From(w.Invitees[result.Booked!.InviteeUuid], w, uris),
            StatusCodes.Status201Created));
    }

    private static string? CheckEventType(string? eventType, List<ErrorDetail> errors)
    {
        if (string.IsNullOrEmpty(eventType)) errors.Add(new("event_type", "is required"));
        else if (ResourceUris.UuidOf(eventType, "event_types") is { } uuid) return uuid;
        else errors.Add(new("event_type", "must be a valid URI"));
        return null;
    }

    private static DateTimeOffset? CheckStartTime(string? startTime, DateTimeOffset now, List<ErrorDetail> errors)
    {
        if (string.IsNullOrEmpty(startTime)) errors.Add(new("start_time", "is required"));
        else if (QueryReader.ParseTimestamp(startTime) is not { } start) errors.Add(new("start_time", QueryReader.TimestampMessage));
        else if (start <= now) errors.Add(new("start_time", "must be in the future"));
        else return start;
        return null;
    }

    /// <summary>email and timezone are required, and name or first_name; name defaults to first and last name joined.</summary>
    private static InviteeDetails? CheckInvitee(InviteeFields? fields, List<ErrorDetail> errors)
    {
        if (fields is null)
        {
            errors.Add(new("invitee", "is required"));
            return null;
        }
        var before = errors.Count;
        if (string.IsNullOrWhiteSpace(fields.Email)) errors.Add(new("invitee.email", "is required"));
        else if (!IsEmail(fields.Email)) errors.Add(new("invitee.email", "must be a valid email address"));
        if (string.IsNullOrWhiteSpace(fields.Timezone)) errors.Add(new("invitee.timezone", "is required"));
        else if (TimeZones.TryFind(fields.Timezone) is null) errors.Add(new("invitee.timezone", "must be a valid IANA time zone"));
        if (string.IsNullOrWhiteSpace(fields.Name) && string.IsNullOrWhiteSpace(fields.FirstName))
            errors.Add(new("invitee.name", "name or first_name is required"));
        if (fields.TextReminderNumber is not null && !BookingForm.IsE164(fields.TextReminderNumber))
            errors.Add(new("invitee.text_reminder_number", "must be a phone number in international format, e.g. +14155551234"));
        if (errors.Count > before) return null;

        var name = string.IsNullOrWhiteSpace(fields.Name) ? $"{fields.FirstName!.Trim()} {fields.LastName?.Trim()}".Trim() : fields.Name.Trim();
        return new InviteeDetails(name, fields.Email!.Trim(), fields.Timezone)
        {
            FirstName = Blank(fields.FirstName), LastName = Blank(fields.LastName), TextReminderNumber = fields.TextReminderNumber,
        };
    }

    private static IReadOnlyList<string> CheckGuests(IReadOnlyList<string?>? guests, List<ErrorDetail> errors)
    {
        if (guests is null) return [];
        if (guests.Count > MaxGuests) errors.Add(new("event_guests", $"can list at most {MaxGuests} guests"));
        for (var i = 0; i < guests.Count; i++)
            if (!IsEmail(guests[i])) errors.Add(new($"event_guests[{i}]", "must be a valid email address"));
        return [.. guests.Where(IsEmail).Select(g => g!.Trim()).Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    private static bool IsEmail(string? text) => text is not null && MailAddress.TryCreate(text.Trim(), out var address) && address.Address == text.Trim();

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
