using System.Text.RegularExpressions;
using FluentValidation;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using RazorSlices;
using App.Infrastructure.Security;

[assembly: PageNotice(App.Features.Cancel.CancelModule.CanceledNotice, "The session is canceled.")]

namespace App.Features.Cancel;

/// <summary>
/// Cancelling a scheduled session. The coach who hosts it cancels with their own Calendly token; the realtor who booked
/// it cancels through that coach's token (the sessions row names the coach). Anyone else gets 404, the answer for a
/// session that does not exist. Calendly cancels a whole event, so a realtor never cancels a group event for its
/// other invitees: they get their own invitee's cancel link instead.
/// </summary>
public sealed partial class CancelModule : ICarterModule
{
    public const int MaxReasonLength = 500;
    public const string CanceledNotice = "session-canceled";
    public const string FormPath = "/sessions/cancel";

    // Settable properties rather than a positional record: the same request binds from JSON and from the page's form.
    public sealed record CancelRequest
    {
        public string? Uuid { get; init; }
        public string? Reason { get; init; }
    }

    public sealed record CanceledSession(string Uuid, string Status, DateTimeOffset CanceledAt, string Reason);

    /// <summary>What the page shows where the cancel form was.</summary>
    public sealed record CancelOutcome(CanceledSession? Canceled, string? OwnCancelUrl);

    /// <summary>The cancel form of one session: empty in its row, or back with what was typed and what is wrong.</summary>
    public sealed record CancelForm(SessionRow Session, string? Reason, IReadOnlyDictionary<string, string[]> Errors);

    /// <summary>Adds the cancel action to every upcoming session on the sessions list.</summary>
    public sealed class RowActions : ISessionActions
    {
        public RazorSlice? ForSession(SessionRow session) =>
            session.Upcoming ? _CancelAction.Create(new CancelForm(session, null, new Dictionary<string, string[]>())) : null;
    }

    public sealed class CancelRequestValidator : AbstractValidator<CancelRequest>
    {
        public CancelRequestValidator()
        {
            RuleFor(r => r.Uuid).Must(uuid => uuid is not null && UuidPattern().IsMatch(uuid))
                .WithMessage("must be the UUID of a scheduled event.");
            RuleFor(r => r.Reason).Must(reason => !string.IsNullOrWhiteSpace(reason)).WithMessage("is required.")
                .Must(reason => reason is null || reason.Trim().Length <= MaxReasonLength)
                .WithMessage($"must be at most {MaxReasonLength} characters.");
        }
    }

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapPost("/api/calendly/events/cancel", CancelEvent)
            .RequireAuthorization()
            .RateLimited(RateLimits.Bookings)
            .Validate<CancelRequest>()
            .ProducesErrors(StatusCodes.Status404NotFound)
            .ProducesCalendlyErrors()
            .WithTags("Sessions")
            .WithSummary("Cancel a scheduled session (its host coach, or the realtor who booked it). A realtor's group session "
                + "answers 409 with their own invitee's cancelUrl in details.");
        app.MapPost(FormPath, CancelFromPage).RequireAuthorization().RateLimited(RateLimits.Bookings).ExcludeFromDescription();
    }

    public static async Task<Results<Ok<Envelope<CanceledSession>>, ApiErrorResult>> CancelEvent(CancelRequest request, CurrentUser user,
        NpgsqlDataSource db, CalendlyCalls calls, TimeProvider clock, CancellationToken ct)
    {
        var outcome = await CancelAsync(request, user, db, calls, clock, ct);
        return outcome.Canceled is { } canceled
            ? TypedResults.Ok(Envelope.Of(canceled))
            : new ApiErrorResult(StatusCodes.Status409Conflict, "conflict", GroupSessionMessage, new { cancelUrl = outcome.OwnCancelUrl });
    }

    public static async Task<IResult> CancelFromPage([FromForm] CancelRequest form, [FromForm] string? returnUrl, HttpContext context,
        CurrentUser user, NpgsqlDataSource db, CalendlyCalls calls, TimeProvider clock, CancellationToken ct)
    {
        if (await Validation.ProblemsAsync(context, form) is { } problems)
        {
            // Back to the form, with what was typed and what is wrong: in its row with htmx, on a page of its own without.
            var session = new SessionRow(form.Uuid ?? "", user.IsRealtor, true, false, 1, null, PagePaths.SessionsOr(returnUrl));
            var again = new CancelForm(session, form.Reason, problems);
            RazorSlice answer = context.Request.IsHtmx() ? _CancelAction.Create(again) : CancelFormPage.Create(again);
            answer.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return answer;
        }
        var outcome = await CancelAsync(form, user, db, calls, clock, ct);
        if (!context.Request.IsHtmx())
            return Results.Redirect(outcome.OwnCancelUrl ?? PageNotices.Url(PagePaths.SessionsOr(returnUrl), CanceledNotice));

        if (outcome.Canceled is { } canceled)
        {
            context.Response.Toast(PageNotices.Text(CanceledNotice)!);
            // Raised on the form, so it bubbles to the session's row (which fetches itself again) and on to the body.
            context.Response.Htmx(h => h.WithTrigger(PageEvents.SessionsChanged, new { uuid = canceled.Uuid }));
        }
        else
        {
            context.Response.Toast(GroupSessionMessage, ToastLevel.Info);
        }
        return _CancelOutcome.Create(outcome);
    }

    private const string GroupSessionMessage =
        "Other people are booked on this group session: cancelling it would cancel them too. Cancel only your own booking with your cancel link.";

    private sealed record Booking(long CoachId, string? CoachCalendlyUri, string Status, DateTimeOffset StartTime, string? CancelUrl,
        string? CancelerType);

    // The realtor's own booking of the event (one row per invitee; the earliest if they booked it twice).
    private const string RealtorBookingSql = """
        select s.coach_id, ci.calendly_user_uri as coach_calendly_uri, s.status, s.start_time, s.cancel_url, s.canceler_type
        from sessions s
        left join calendly_integrations ci on ci.user_id = s.coach_id
        where s.realtor_id = @UserId and substring(s.scheduled_event_uri from '[^/]*$') = @Uuid
        order by (s.status = 'active') desc, s.id
        limit 1
        """;

    // What the table knows of an event the coach hosts; a host cancellation on any row means the whole event.
    private const string HostedBookingSql = """
        select s.coach_id, ci.calendly_user_uri as coach_calendly_uri, s.status, s.start_time, s.cancel_url, s.canceler_type
        from sessions s
        join calendly_integrations ci on ci.user_id = s.coach_id
        where s.coach_id = @UserId and substring(s.scheduled_event_uri from '[^/]*$') = @Uuid
        order by (s.canceler_type = 'host') desc nulls last, s.id
        limit 1
        """;

    private const string CoachCalendlyUriSql = "select calendly_user_uri from calendly_integrations where user_id = @UserId";

    private const string MarkCanceledSql = """
        update sessions
        set status = 'canceled', canceled_at = @CanceledAt, cancel_reason = @Reason, canceler_type = @CancelerType, updated_at = now()
        where coach_id = @CoachId and scheduled_event_uri = @EventUri and status = 'active'
        """;

    private static async Task<CancelOutcome> CancelAsync(CancelRequest request, CurrentUser user, NpgsqlDataSource db, CalendlyCalls calls,
        TimeProvider clock, CancellationToken ct)
    {
        var uuid = request.Uuid!;
        var reason = request.Reason!.Trim();
        var now = clock.GetUtcNow();

        // What the sessions table already knows answers first, without asking Calendly.
        Booking? known;
        string? coachUri;
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            known = await connection.QuerySingleOrDefaultAsync<Booking>(new CommandDefinition(
                user.IsRealtor ? RealtorBookingSql : HostedBookingSql, new { UserId = user.Id, Uuid = uuid }, cancellationToken: ct));
            coachUri = known?.CoachCalendlyUri ?? (user.IsRealtor ? null : await connection.QuerySingleOrDefaultAsync<string>(
                new CommandDefinition(CoachCalendlyUriSql, new { UserId = user.Id }, cancellationToken: ct)));
        }
        if (user.IsRealtor && known is null) throw NotFound();
        if (known is not null && (user.IsRealtor ? known.Status != "active" : known.CancelerType == "host")) throw AlreadyCanceled();
        if (known is not null && known.StartTime <= now) throw InThePast();
        if (coachUri is null)
            throw user.IsRealtor ? CoachUnavailable(known!.CancelUrl) : new CalendlyException(CalendlyFailure.NotConnected, "Connect your Calendly account first.");
        var coachId = known?.CoachId ?? user.Id;

        try
        {
            var scheduled = await calls.RunAsync(coachId, (client, accessToken) => client.GetScheduledEventAsync(accessToken, uuid, ct), ct);
            if (scheduled.EventMemberships.All(m => m.User != coachUri)) throw NotFound();
            if (scheduled.Status == "canceled")
            {
                // Canceled on Calendly before its webhook reached the table: the table catches up now.
                await MarkCanceledAsync(db, coachId, scheduled.Uri, scheduled.Cancellation ?? new Cancellation(null, null, null, null), now, ct);
                throw AlreadyCanceled();
            }
            if (scheduled.StartTime <= now) throw InThePast();
            if (user.IsRealtor && scheduled.InviteesCounter.Active > 1) return new CancelOutcome(null, known!.CancelUrl);

            var cancellation = await calls.RunAsync(coachId, (client, accessToken) => client.CancelEventAsync(accessToken, uuid, reason, ct), ct);
            var canceledAt = await MarkCanceledAsync(db, coachId, scheduled.Uri, cancellation with { Reason = reason }, now, ct);
            return new CancelOutcome(new CanceledSession(uuid, "canceled", canceledAt, reason), null);
        }
        catch (CalendlyException e) when (e.Failure is CalendlyFailure.NotFound or CalendlyFailure.Forbidden)
        {
            // Calendly's 403s name the reason: map the two that are about the event's state, hide the rest as 404.
            throw e.Message.Contains("already canceled", StringComparison.OrdinalIgnoreCase) ? AlreadyCanceled()
                : e.Message.Contains("in the past", StringComparison.OrdinalIgnoreCase) ? InThePast()
                : NotFound();
        }
        catch (CalendlyException e) when (user.IsRealtor && e.Failure is CalendlyFailure.NotConnected or CalendlyFailure.ReconnectRequired)
        {
            throw CoachUnavailable(known!.CancelUrl);
        }
    }

    private static async Task<DateTimeOffset> MarkCanceledAsync(NpgsqlDataSource db, long coachId, string eventUri, Cancellation cancellation,
        DateTimeOffset now, CancellationToken ct)
    {
        var canceledAt = cancellation.CreatedAt ?? now;
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(MarkCanceledSql, new
        {
            CoachId = coachId, EventUri = eventUri, CanceledAt = canceledAt, cancellation.Reason, CancelerType = cancellation.CancelerType ?? "host",
        }, cancellationToken: ct));
        return canceledAt;
    }

    private static ApiException NotFound() => new(StatusCodes.Status404NotFound, "not_found", "There is no such session of yours.");

    private static ApiException AlreadyCanceled() => new(StatusCodes.Status409Conflict, "conflict", "This session is already canceled.");

    private static ApiException InThePast() => new(StatusCodes.Status409Conflict, "conflict", "This session has already started; it cannot be canceled.");

    /// <summary>The realtor's cancel goes through the coach's connection; when that is gone, their own link still works.</summary>
    private static ApiException CoachUnavailable(string? cancelUrl) =>
        new(StatusCodes.Status409Conflict, "conflict",
            "The coach's Calendly connection is not working, so this app cannot cancel for you. Cancel with your own cancel link.",
            new { cancelUrl });

    [GeneratedRegex("^[A-Za-z0-9-]{1,64}$")]
    private static partial Regex UuidPattern();
}
