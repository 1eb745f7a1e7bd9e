using System.Text.RegularExpressions;
using FluentValidation;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using RazorSlices;
using App.Infrastructure.Database;

namespace App.Features.NoShows;

/// <summary>
/// The hosting coach marks an invitee as a no-show, and takes it back. Everyone else gets 404, whether the invitee
/// exists or not. The page's forms get the changed row back to swap in place.
/// </summary>
public sealed partial class NoShowsModule : ICarterModule
{
    // Settable properties rather than positional records: the same request binds from JSON and from a form.
    public sealed record NoShowRequest
    {
        public string? InviteeUri { get; init; }
    }

    public sealed record UndoNoShowRequest
    {
        public string? InviteeUri { get; init; }
        public string? NoShowUri { get; init; }
    }

    public sealed record InviteeNoShow(string InviteeUri, string? NoShowUri);

    /// <summary>An invitee's no-show button on the sessions list; or, after a tampered post, only what was wrong.</summary>
    public sealed record NoShowForm(InviteeRow? Invitee, string? Problem);

    public const string MarkPath = "/sessions/no-shows";
    public const string UndoPath = "/sessions/no-shows/undo";

    /// <summary>Adds "Mark no-show" beside each active invitee of a session that has begun, and "Undo" beside a no-show.</summary>
    public sealed class RowActions : ISessionActions
    {
        public RazorSlice? ForInvitee(InviteeRow invitee) =>
            invitee.NoShowUri is not null || invitee.Session.Started && invitee.Active ? _NoShowAction.Create(new NoShowForm(invitee, null)) : null;
    }

    public sealed class NoShowRequestValidator : AbstractValidator<NoShowRequest>
    {
        public NoShowRequestValidator() => RuleFor(r => r.InviteeUri).Must(BeAnInviteeUri).WithMessage(InviteeUriMessage);
    }

    public sealed class UndoNoShowRequestValidator : AbstractValidator<UndoNoShowRequest>
    {
        public UndoNoShowRequestValidator()
        {
            RuleFor(r => r.InviteeUri).Must(BeAnInviteeUri).WithMessage(InviteeUriMessage);
            RuleFor(r => r.NoShowUri).Must(uri => uri is not null && NoShowUriPattern().IsMatch(uri))
                .WithMessage("must be a Calendly no-show URI (…/invitee_no_shows/{uuid}).");
        }
    }

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/calendly/events/no-shows").RequireAuthorization().WithTags("Sessions");
        api.MapPost("", MarkNoShow).Validate<NoShowRequest>().ProducesErrors(StatusCodes.Status404NotFound).ProducesCalendlyErrors()
            .WithSummary("Mark an invitee of one of the coach's events as a no-show.");
        api.MapPost("/undo", UndoNoShow).Validate<UndoNoShowRequest>().ProducesErrors(StatusCodes.Status404NotFound).ProducesCalendlyErrors()
            .WithSummary("Take back a no-show (the invitee's URI and the no-show's URI, as the scheduled list gives them).");

        app.MapPost(MarkPath, MarkNoShowFromPage).RequireAuthorization().ExcludeFromDescription();
        app.MapPost(UndoPath, UndoNoShowFromPage).RequireAuthorization().ExcludeFromDescription();
    }

    public static async Task<Ok<Envelope<InviteeNoShow>>> MarkNoShow(NoShowRequest request, CurrentUser user, NpgsqlDataSource db,
        CalendlyCalls calls, CancellationToken ct)
    {
        return TypedResults.Ok(Envelope.Of(await MarkAsync(request, user, db, calls, ct)));
    }

    public static async Task<Ok<Envelope<InviteeNoShow>>> UndoNoShow(UndoNoShowRequest request, CurrentUser user, NpgsqlDataSource db,
        CalendlyCalls calls, CancellationToken ct)
    {
        return TypedResults.Ok(Envelope.Of(await UndoAsync(request, user, db, calls, ct)));
    }

    public static async Task<IResult> MarkNoShowFromPage([FromForm] NoShowRequest form, [FromForm] string? returnUrl, HttpContext context,
        CurrentUser user, NpgsqlDataSource db, CalendlyCalls calls, CancellationToken ct)
    {
        if (await Validation.ProblemsAsync(context, form) is { } problems) return FormProblem(context, problems, returnUrl);
        await MarkAsync(form, user, db, calls, ct);
        return Changed(context, returnUrl, "Marked as a no-show.");
    }

    public static async Task<IResult> UndoNoShowFromPage([FromForm] UndoNoShowRequest form, [FromForm] string? returnUrl,
        HttpContext context, CurrentUser user, NpgsqlDataSource db, CalendlyCalls calls, CancellationToken ct)
    {
        if (await Validation.ProblemsAsync(context, form) is { } problems) return FormProblem(context, problems, returnUrl);
        await UndoAsync(form, user, db, calls, ct);
        return Changed(context, returnUrl, "The no-show is taken back.");
    }

    private static async Task<InviteeNoShow> MarkAsync(NoShowRequest request, CurrentUser user,
        NpgsqlDataSource db, CalendlyCalls calls, CancellationToken ct)
    {
        var inviteeUri = request.InviteeUri!;
        await HostedEventOfAsync(inviteeUri, user, db, calls, ct);
        NoShow noShow;
        try
        {
            noShow = await calls.RunAsync(user.Id, (client, accessToken) => client.CreateNoShowAsync(accessToken, inviteeUri, ct), ct);
        }
        catch (CalendlyException e) when (e.Failure is CalendlyFailure.NotFound or CalendlyFailure.Forbidden)
        {
            throw NotYours();
        }
        await SaveNoShowAsync(db, user.Id, inviteeUri, noShow.Uri, ct);
        return new InviteeNoShow(inviteeUri, noShow.Uri);
    }

    private static async Task<InviteeNoShow> UndoAsync(UndoNoShowRequest request, CurrentUser user,
        NpgsqlDataSource db, CalendlyCalls calls, CancellationToken ct)
    {
        var (inviteeUri, noShowUri) = (request.InviteeUri!, request.NoShowUri!);
        var scheduled = await HostedEventOfAsync(inviteeUri, user, db, calls, ct);
        // The no-show must be this invitee's: the host check above is only worth something if the two belong together.
        var invitee = await calls.RunAsync(user.Id, (client, accessToken) =>
            client.GetInviteeAsync(accessToken, CalendlyClient.UuidOf(scheduled.Uri), CalendlyClient.UuidOf(inviteeUri), ct), ct);
        if (invitee.NoShow?.Uri != noShowUri) throw NotYours();
        try
        {
            await calls.RunAsync(user.Id, async (client, accessToken) =>
            {
                await client.DeleteNoShowAsync(accessToken, CalendlyClient.UuidOf(noShowUri), ct);
                return true;
            }, ct);
        }
        catch (CalendlyException e) when (e.Failure is CalendlyFailure.NotFound or CalendlyFailure.Forbidden)
        {
            throw NotYours();
        }
        await SaveNoShowAsync(db, user.Id, inviteeUri, null, ct);
        return new InviteeNoShow(inviteeUri, null);
    }

    /// <summary>The invitee's event when the caller hosts it; otherwise 404, the same answer as for an invitee that does not exist.</summary>
    private static async Task<ScheduledEvent> HostedEventOfAsync(string inviteeUri, CurrentUser user, NpgsqlDataSource db,
        CalendlyCalls calls, CancellationToken ct)
    {
        if (user.IsRealtor) throw NotYours();
        var eventUuid = InviteeUriPattern().Match(inviteeUri).Groups["event"].Value;
        return await HostedEvents.FindAsync(calls, user.Id, await HostedEvents.CalendlyUserUriAsync(db, user.Id, ct), eventUuid, ct)
            ?? throw NotYours();
    }

    /// <summary>Keeps a booked session's row in step with Calendly (its webhook says the same, later).</summary>
    private static async Task SaveNoShowAsync(NpgsqlDataSource db, long coachId, string inviteeUri, string? noShowUri, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(SessionWrites.SetNoShowSql,
            new { CoachId = coachId, InviteeUri = inviteeUri, NoShowUri = noShowUri }, cancellationToken: ct));
    }

    /// <summary>
    /// Done: with htmx a toast and <see cref="PageEvents.SessionsChanged"/> raised on the form, so its row fetches itself
    /// again; a plain form post goes back to the list it was on.
    /// </summary>
    private static IResult Changed(HttpContext context, string? returnUrl, string toast)
    {
        if (!context.Request.IsHtmx()) return Results.Redirect(PagePaths.SessionsOr(returnUrl));
        context.Response.Toast(toast);
        context.Response.Htmx(h => h.WithTrigger(PageEvents.SessionsChanged));
        return Results.NoContent();
    }

    /// <summary>
    /// The forms carry only what the row put in them, so a problem means they were changed on the way: the form comes
    /// back in place with what is wrong (422), or, without JavaScript, a page that says so.
    /// </summary>
    private static IResult FormProblem(HttpContext context, IDictionary<string, string[]> problems, string? returnUrl)
    {
        var message = string.Join(" ", problems.Select(p => $"{p.Key} {string.Join(" ", p.Value)}"));
        if (!context.Request.IsHtmx())
            return ErrorPages.Page(context, StatusCodes.Status422UnprocessableEntity, "That no-show could not be changed", message,
                PagePaths.SessionsOr(returnUrl), "Back to your sessions");
        RazorSlice form = _NoShowAction.Create(new NoShowForm(null, message));
        form.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return form;
    }

    private static ApiException NotYours() =>
        new(StatusCodes.Status404NotFound, "not_found", "There is no such invitee among the events you host.");

    private const string InviteeUriMessage = "must be a Calendly invitee URI (…/scheduled_events/{uuid}/invitees/{uuid}).";

    private static bool BeAnInviteeUri(string? uri) => uri is not null && InviteeUriPattern().IsMatch(uri);

    [GeneratedRegex(@"^https?://[^/?#]+(/[^?#]*)?/scheduled_events/(?<event>[A-Za-z0-9-]{1,64})/invitees/[A-Za-z0-9-]{1,64}$")]
    private static partial Regex InviteeUriPattern();

    [GeneratedRegex(@"^https?://[^/?#]+(/[^?#]*)?/invitee_no_shows/[A-Za-z0-9-]{1,64}$")]
    private static partial Regex NoShowUriPattern();
}
