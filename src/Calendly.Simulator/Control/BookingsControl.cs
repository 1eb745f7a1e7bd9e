using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.Scheduling;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Control;

/// <summary>
/// What an invitee does on the booking pages, as JSON: POST /_sim/bookings books a free slot, /_sim/cancellations
/// cancels an invitee's booking, /_sim/reschedulings moves it. Each fires the webhooks the pages fire.
/// </summary>
public static class BookingsControl
{
    public sealed record BookingRequest(string? EventTypeUri, DateTimeOffset? StartTime, string? InviteeEmail, string? InviteeName,
        string? InviteeTimezone, Tracking? Tracking);

    public sealed record InviteeChange(string? Invitee, DateTimeOffset? StartTime, string? Reason);

    public sealed record BookingResponse(string Event, string Invitee, string CancelUrl, string RescheduleUrl);

    public static void Map(RouteGroupBuilder control)
    {
        control.MapPost("/bookings", BookAsync);
        control.MapPost("/cancellations", CancelAsync);
        control.MapPost("/reschedulings", RescheduleAsync);
    }

    private static async Task<IResult> BookAsync(HttpRequest request, Bookings bookings, ResourceUris uris)
    {
        var (body, error) = await RequestBody.ReadAsync<BookingRequest>(request, RequestBody.ControlJson, request.HttpContext.RequestAborted);
        if (error is not null) return error;
        var details = new List<ErrorDetail>();
        var typeUuid = ResourceUris.UuidOf(body?.EventTypeUri, "event_types");
        if (typeUuid is null) details.Add(new("eventTypeUri", "must be an event type URI"));
        if (body?.StartTime is null) details.Add(new("startTime", "is required (ISO 8601)"));
        if (body?.InviteeEmail is null) details.Add(new("inviteeEmail", "is required"));
        if (body?.InviteeName is null) details.Add(new("inviteeName", "is required"));
        if (details.Count > 0) return CalendlyErrors.InvalidArgument(details);

        var invitee = new InviteeDetails(body!.InviteeName!, body.InviteeEmail!, body.InviteeTimezone) { Tracking = body.Tracking ?? new Tracking() };
        var result = bookings.Book(typeUuid!, body.StartTime!.Value, invitee);
        return Answer(result, uris, "startTime");
    }

    private static async Task<IResult> CancelAsync(HttpRequest request, Bookings bookings)
    {
        var (body, error) = await RequestBody.ReadAsync<InviteeChange>(request, RequestBody.ControlJson, request.HttpContext.RequestAborted);
        if (error is not null) return error;
        if (InviteeUuid(body) is not { } inviteeUuid) return CalendlyErrors.InvalidArgument("invitee", "must be an invitee URI");
        return bookings.CancelByInvitee(inviteeUuid, body!.Reason) is { } refusal ? Refused(refusal, "invitee") : Results.NoContent();
    }

    private static async Task<IResult> RescheduleAsync(HttpRequest request, Bookings bookings, ResourceUris uris)
    {
        var (body, error) = await RequestBody.ReadAsync<InviteeChange>(request, RequestBody.ControlJson, request.HttpContext.RequestAborted);
        if (error is not null) return error;
        if (InviteeUuid(body) is not { } inviteeUuid) return CalendlyErrors.InvalidArgument("invitee", "must be an invitee URI");
        if (body!.StartTime is not { } start) return CalendlyErrors.InvalidArgument("startTime", "is required (ISO 8601)");
        return Answer(bookings.Reschedule(inviteeUuid, start, body.Reason), uris, "startTime");
    }

    private static string? InviteeUuid(InviteeChange? body) => ResourceUris.InviteeUuidsOf(body?.Invitee)?.InviteeUuid;

    private static IResult Answer(BookingResult result, ResourceUris uris, string parameter) =>
        result.Booked is { } booked
            ? Results.Json(new BookingResponse(uris.ScheduledEvent(booked.EventUuid), uris.Invitee(booked.EventUuid, booked.InviteeUuid),
                uris.CancelPage(booked.InviteeUuid), uris.ReschedulePage(booked.InviteeUuid)), RequestBody.ControlJson, statusCode: 201)
            : Refused(result.Refusal!, parameter);

    private static IResult Refused(Refusal refusal, string parameter) => refusal.Status switch
    {
        404 => CalendlyErrors.NotFound(),
        409 => CalendlyErrors.Conflict(refusal.Message),
        _ => CalendlyErrors.InvalidArgument(parameter, refusal.Message),
    };
}
