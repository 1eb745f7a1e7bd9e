using System.Text.RegularExpressions;
using FluentValidation;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using App.Infrastructure.Caching;
using App.Infrastructure.Security;

[assembly: SessionTypeAction("Book", "/coaches/{coachId}/book?eventTypeUri={eventTypeUri}")]
// Otherwise a free time opens Calendly's own booking page, embedded.
[assembly: FreeTimeBooking("/coaches/{coachId}/book?eventTypeUri={eventTypeUri}", Order = 2)]

namespace App.Features.Bookings;

/// <summary>
/// Booking with a coach: Calendly's own booking page, embedded (the simulator's in simulated mode), prefilled with the
/// realtor and tagged with an opaque reference to them. When the page reports a booking, the app records it, but only
/// after confirming it with Calendly: the browser's word is not trusted.
/// </summary>
public sealed partial class BookingsModule : ICarterModule
{
    public const string UtmSource = "calendly-slices";

    /// <summary>The booking as Calendly's page reported it, and the coach it was made with (the widget knows which).</summary>
    public sealed record BookingRequest(long? CoachId, string? EventUri, string? InviteeUri);

    public sealed class BookingRequestValidator : AbstractValidator<BookingRequest>
    {
        public BookingRequestValidator()
        {
            RuleFor(r => r.CoachId).NotNull().WithMessage("is required.").GreaterThan(0).WithMessage("must be a coach id.");
            RuleFor(r => r.EventUri).NotEmpty().WithMessage("is required.")
                .Must(u => u is null || EventUriPattern().IsMatch(u)).WithMessage("must be a scheduled event URI (…/scheduled_events/{uuid}).");
            RuleFor(r => r.InviteeUri).NotEmpty().WithMessage("is required.")
                .Must(u => u is null || InviteeUriPattern().IsMatch(u)).WithMessage("must be an invitee URI (…/scheduled_events/{uuid}/invitees/{uuid}).");
            RuleFor(r => r).Must(r => r.EventUri is null || r.InviteeUri is null || r.InviteeUri.StartsWith(r.EventUri.TrimEnd('/') + "/invitees/", StringComparison.Ordinal))
                .WithName("inviteeUri").WithMessage("must belong to the event in eventUri.");
        }
    }

    public sealed record BookedSession(long Id, long CoachId, string EventUri, string InviteeUri, string EventName, DateTimeOffset StartTime,
        DateTimeOffset EndTime, string Status, string? CancelUrl, string? RescheduleUrl);

    public sealed record BookingWidget(long CoachId, string CoachName, string EventTypeName, int Duration, string EmbedUrl, string SchedulingUrl,
        string CalendlyOrigin);

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/coaches/{coachId:long}/book", ShowBookingWidget).RequireAuthorization().ExcludeFromDescription();
        app.MapPost("/api/calendly/bookings", RecordBooking)
            .RequireAuthorization()
            .RateLimited(RateLimits.Bookings)
            .Validate<BookingRequest>()
            .ProducesErrors(StatusCodes.Status404NotFound)
            .ProducesCalendlyErrors()
            .WithTags("Bookings")
            .WithSummary("Record a booking made in the embedded Calendly page, after confirming it with Calendly.");
        // The booking widget's own route: the same recording, answered for the page.
        app.MapPost(RecordPath, RecordBookingFromPage).RequireAuthorization().RateLimited(RateLimits.Bookings).ExcludeFromDescription();
    }

    public const string RecordPath = "/bookings/record";

    public static async Task<IResult> ShowBookingWidget(long coachId, string? eventTypeUri, HttpContext context, CurrentUser user,
        NpgsqlDataSource db, CalendlyCalls calendly, CalendlyOptions options, CancellationToken ct)
    {
        // A page: its errors are thrown, so that a navigation gets an error page and htmx a toast.
        if (eventTypeUri is null || !Uri.TryCreate(eventTypeUri, UriKind.Absolute, out _))
            throw new ApiException(StatusCodes.Status400BadRequest, "validation_failed", "Choose a session type from the coach's card to book it.",
                new Dictionary<string, string[]> { ["eventTypeUri"] = ["must be the event type's URI."] });
        CalendlyCoach? coach;
        string bookingRef;
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            coach = await CalendlyCoach.FindAsync(connection, coachId, ct);
            bookingRef = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
                "select booking_ref from users where id = @Id", new { user.Id }, cancellationToken: ct)) ?? "";
        }
        if (coach is not { ConnectionStatus: CalendlyTokens.Active })
            throw new ApiException(StatusCodes.Status404NotFound, "not_found", "No connected coach has that id.");

        EventType eventType;
        try
        {
            eventType = await calendly.RunAsync(coach.Id,
                (client, accessToken) => client.GetEventTypeAsync(accessToken, CalendlyClient.UuidOf(eventTypeUri), ct), ct);
        }
        catch (CalendlyException e) when (e.Failure is CalendlyFailure.NotFound or CalendlyFailure.Forbidden)
        {
            throw NoSuchSessionType(e);
        }
        if (eventType.Profile?.Owner != coach.CalendlyUserUri || eventType.SchedulingUrl is null || !eventType.Active)
            throw NoSuchSessionType();

        var embedUrl = QueryHelpers.AddQueryString(eventType.SchedulingUrl, new Dictionary<string, string?>
        {
            ["name"] = user.Name,
            ["email"] = user.Email,
            ["utm_source"] = UtmSource,
            // Opaque: attributes the booking to this realtor without giving Calendly their email or id.
            ["utm_content"] = bookingRef,
            ["embed_domain"] = context.Request.Host.Host,
            ["embed_type"] = "Inline",
            ["hide_gdpr_banner"] = "1",
        });
        var widget = new BookingWidget(coach.Id, coach.Name, eventType.Name, eventType.Duration, embedUrl, eventType.SchedulingUrl,
            options.WidgetOrigin);
        return HtmxPages.PageOrPartial(context, BookingPage.Create(widget), _BookingWidget.Create(widget));
    }

    private static ApiException NoSuchSessionType(Exception? inner = null) =>
        new(StatusCodes.Status404NotFound, "not_found", "That coach offers no such session type.", inner: inner);

    private const string UpsertSessionSql = """
        insert into sessions (coach_id, realtor_id, scheduled_event_uri, invitee_uri, event_type_uri, event_name, invitee_name,
                              invitee_email, start_time, end_time, status, cancel_url, reschedule_url, source)
        values (@CoachId, @RealtorId, @EventUri, @InviteeUri, @EventTypeUri, @EventName, @InviteeName, @InviteeEmail,
                @StartTime, @EndTime, @Status, @CancelUrl, @RescheduleUrl, 'booking')
        on conflict (invitee_uri) do update set
            realtor_id = coalesce(sessions.realtor_id, excluded.realtor_id), status = excluded.status,
            start_time = excluded.start_time, end_time = excluded.end_time, updated_at = now()
        returning id, coach_id, scheduled_event_uri as event_uri, invitee_uri, event_name, start_time, end_time, status,
                  cancel_url, reschedule_url
        """;

    public static async Task<Results<Ok<Envelope<BookedSession>>, ApiErrorResult>> RecordBooking(BookingRequest request,
        CurrentUser user, NpgsqlDataSource db, CalendlyCalls calendly, ClusterCache cache, CancellationToken ct)
    {
        var eventUri = request.EventUri!;
        var inviteeUri = request.InviteeUri!;
        await using var connection = await db.OpenConnectionAsync(ct);
        var coach = await CalendlyCoach.FindAsync(connection, request.CoachId!.Value, ct);
        if (coach is not { ConnectionStatus: CalendlyTokens.Active }) return ApiResults.NotFound("No connected coach has that id.");

        // Read with the coach's token: Calendly answers only for the coach's own events, and the event must be hosted
        // by that coach (the same 404 either way, so nothing leaks about other coaches' events).
        ScheduledEvent scheduled;
        try
        {
            scheduled = await calendly.RunAsync(coach.Id, (client, accessToken) => client.GetScheduledEventAsync(accessToken, CalendlyClient.UuidOf(eventUri), ct), ct);
        }
        catch (CalendlyException e) when (e.Failure is CalendlyFailure.NotFound or CalendlyFailure.Forbidden)
        {
            return ApiResults.NotFound("Calendly has no such booking with this coach.");
        }
        if (scheduled.EventMemberships.All(m => m.User != coach.CalendlyUserUri))
            return ApiResults.NotFound("Calendly has no such booking with this coach.");

        var invitee = await calendly.RunAsync(coach.Id, (client, accessToken) =>
            client.GetInviteeAsync(accessToken, CalendlyClient.UuidOf(eventUri), CalendlyClient.UuidOf(inviteeUri), ct), ct);
        var bookingRef = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            "select booking_ref from users where id = @Id", new { user.Id }, cancellationToken: ct));
        var mine = invitee.Tracking?.UtmContent == bookingRef
            || (user.Email is not null && string.Equals(invitee.Email, user.Email, StringComparison.OrdinalIgnoreCase));
        if (!mine) return ApiResults.Forbidden("Calendly says this booking was made by someone else.");

        var session = await connection.QuerySingleAsync<BookedSession>(new CommandDefinition(UpsertSessionSql, new
        {
            CoachId = coach.Id,
            RealtorId = user.Id,
            EventUri = scheduled.Uri,
            InviteeUri = invitee.Uri,
            EventTypeUri = scheduled.EventType,
            EventName = scheduled.Name,
            InviteeName = invitee.Name,
            InviteeEmail = invitee.Email,
            scheduled.StartTime,
            scheduled.EndTime,
            Status = invitee.Status == "canceled" || scheduled.Status == "canceled" ? "canceled" : "active",
            invitee.CancelUrl,
            invitee.RescheduleUrl,
        }, cancellationToken: ct));

        // The slot is taken: the coach's cached free times are out of date (tag owned by the FreeTimes slice).
        await cache.EvictAsync(CacheTags.FreeTimesOfCoach(coach.Id), ct);
        return TypedResults.Ok(Envelope.Of(session));
    }

    /// <summary>
    /// The widget's report of a booking (site.js posts what Calendly's page said), recorded as the JSON route records it;
    /// the answer is the widget's status line, a toast, and the event on which session lists reload themselves.
    /// </summary>
    public static async Task<IResult> RecordBookingFromPage([FromForm] BookingRequest form, HttpContext context, CurrentUser user,
        NpgsqlDataSource db, CalendlyCalls calendly, ClusterCache cache, CancellationToken ct)
    {
        if (await Validation.ProblemsAsync(context, form) is { } problems) return ApiResults.Validation(problems);
        var result = (await RecordBooking(form, user, db, calendly, cache, ct)).Result;
        if (result is not Ok<Envelope<BookedSession>> recorded) return result;
        context.Response.Toast("Session booked.");
        context.Response.Htmx(h => h.WithTrigger(PageEvents.SessionsChanged));
        return _BookingRecorded.Create(recorded.Value!.Data!);
    }

    [GeneratedRegex(@"^https?://[^/]+(/[^?#]*)?/scheduled_events/[A-Za-z0-9-]+/?$")]
    private static partial Regex EventUriPattern();

    [GeneratedRegex(@"^https?://[^/]+(/[^?#]*)?/scheduled_events/[A-Za-z0-9-]+/invitees/[A-Za-z0-9-]+/?$")]
    private static partial Regex InviteeUriPattern();
}
