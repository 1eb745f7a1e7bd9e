using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using FluentValidation;
using Htmx;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

[assembly: NavigationLink(PagePaths.Sessions, "Sessions", 30)]

namespace App.Features.Scheduled;

/// <summary>
/// The sessions list, in one shape for both roles: a coach's scheduled events read live from Calendly with their
/// invitees, a realtor's bookings from the sessions table. Same filters, sort and pagination; /sessions is the page,
/// whose URL always holds the filters so it can be bookmarked and reloaded.
/// </summary>
public sealed partial class ScheduledModule : ICarterModule
{
    public const int DefaultCount = 20;
    public const int MaxCount = 100;
    public const string SortAscending = "startTime:asc";
    public const string SortDescending = "startTime:desc";
    public const string PagePath = PagePaths.Sessions;
    private const string RefreshPath = PagePath + "/refresh";

    /// <summary>The query string as sent (a GET form sends empty fields as ""), read by <see cref="Filters"/> once valid.</summary>
    public sealed record ScheduledQuery(
        [FromQuery(Name = "count")] string? Count,
        [FromQuery(Name = "pageToken")] string? PageToken,
        [FromQuery(Name = "status")] string? Status,
        [FromQuery(Name = "minStartTime")] string? MinStartTime,
        [FromQuery(Name = "maxStartTime")] string? MaxStartTime,
        [FromQuery(Name = "sort")] string? Sort)
    {
        public static string? Given(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

        /// <summary>This query's page URL (blank and default parameters left out), on another page when a token is given.</summary>
        public string Url(string? pageToken) => QueryHelpers.AddQueryString(PagePath, new Dictionary<string, string?>
        {
            ["status"] = Given(Status),
            ["minStartTime"] = Given(MinStartTime),
            ["maxStartTime"] = Given(MaxStartTime),
            ["sort"] = Given(Sort) is SortDescending ? SortDescending : null,
            ["count"] = Given(Count),
            ["pageToken"] = pageToken,
        }.Where(p => p.Value is not null));
    }

    /// <summary>A valid query, parsed: times without an offset are read in the caller's time zone.</summary>
    internal sealed record Filters(int Count, string? PageToken, string? Status, DateTimeOffset? MinStart, DateTimeOffset? MaxStart, bool Descending)
    {
        public static Filters Of(ScheduledQuery query, TimeZoneInfo zone) => new(
            ScheduledQuery.Given(query.Count) is { } count ? int.Parse(count, CultureInfo.InvariantCulture) : DefaultCount,
            ScheduledQuery.Given(query.PageToken),
            ScheduledQuery.Given(query.Status),
            Instant(query.MinStartTime, zone),
            Instant(query.MaxStartTime, zone),
            ScheduledQuery.Given(query.Sort) == SortDescending);

        private static DateTimeOffset? Instant(string? text, TimeZoneInfo zone) =>
            ScheduledQuery.Given(text) is { } given && TryReadInstant(given, zone, out var instant) ? instant : null;
    }

    public sealed class ScheduledQueryValidator : AbstractValidator<ScheduledQuery>
    {
        public ScheduledQueryValidator()
        {
            RuleFor(q => q.Count)
                .Must(c => ScheduledQuery.Given(c) is not { } count
                           || int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= MaxCount)
                .WithMessage($"must be a whole number from 1 to {MaxCount}.");
            RuleFor(q => q.Status).Must(s => ScheduledQuery.Given(s) is null or "active" or "canceled")
                .WithMessage("must be active or canceled.");
            RuleFor(q => q.Sort).Must(s => ScheduledQuery.Given(s) is null or SortAscending or SortDescending)
                .WithMessage($"must be {SortAscending} or {SortDescending}.");
            RuleFor(q => q.MinStartTime).Must(BeAnInstant).WithMessage(InstantMessage);
            RuleFor(q => q.MaxStartTime).Must(BeAnInstant).WithMessage(InstantMessage);
            // Read in UTC here: offset-less times move by the same zone offset, so their order holds in any zone.
            RuleFor(q => q.MaxStartTime)
                .Must((q, max) => !(ReadsAsInstant(q.MinStartTime, out var from) && ReadsAsInstant(max, out var to)) || from <= to)
                .WithMessage("must not be before minStartTime.");
            RuleFor(q => q.PageToken).MaximumLength(4000).WithMessage("is not a page token from this list.");
        }

        private const string InstantMessage = "must be an ISO-8601 date or time, such as 2026-05-01 or 2026-05-01T09:00:00Z.";

        private static bool BeAnInstant(string? text) => ScheduledQuery.Given(text) is null || ReadsAsInstant(text, out _);

        private static bool ReadsAsInstant(string? text, out DateTimeOffset instant)
        {
            instant = default;
            return ScheduledQuery.Given(text) is { } given && TryReadInstant(given, TimeZoneInfo.Utc, out instant);
        }
    }

    /// <param name="TimeZone">The coach's time zone in this app, in a realtor's items (where the coach's time is shown beside
    /// the realtor's); null in a coach's own.</param>
    public sealed record SessionCoach(string? CalendlyUserUri, string? Name, string? Email, string? TimeZone);

    public sealed record SessionInvitee(string Uri, string? Name, string? Email, string Status, string? CancelUrl, string? RescheduleUrl,
        string? NoShowUri, bool Rescheduled);

    public sealed record SessionCancellation(string? CanceledBy, string? Reason, string? CancelerType, DateTimeOffset? CanceledAt);

    /// <summary>
    /// One scheduled event as its viewer sees it. <c>ActiveInvitees</c> above 1 is a group event. <c>CancelUrl</c> and
    /// <c>RescheduleUrl</c> are the realtor's own invitee links (null for coaches, who cancel through the API).
    /// </summary>
    public sealed record SessionItem(
        string Uuid, string Uri, string Name, DateTimeOffset StartTime, DateTimeOffset EndTime, string Status, SessionCoach Coach,
        IReadOnlyList<SessionInvitee> Invitees, int ActiveInvitees, string? CancelUrl, string? RescheduleUrl,
        SessionCancellation? Cancellation);

    public sealed record SessionPage(IReadOnlyList<SessionItem> Items, string? NextPageToken);

    /// <summary>What a row needs besides its item: who looks, when, in which zone, and where its forms return without htmx.</summary>
    public sealed record SessionRowView(SessionItem Item, CurrentUser User, DateTimeOffset Now, TimeZoneInfo Zone, string ReturnUrl);

    public sealed record SessionsView(CurrentUser User, ScheduledQuery Query, SessionPage? Page, IDictionary<string, string[]> Errors,
        DateTimeOffset Now, TimeZoneInfo Zone)
    {
        public string CurrentUrl => Query.Url(ScheduledQuery.Given(Query.PageToken));

        /// <summary>The same list from the route the list's own polling uses.</summary>
        public string RefreshUrl => RefreshPath + CurrentUrl[PagePath.Length..];
        public SessionRowView Row(SessionItem item) => new(item, User, Now, Zone, CurrentUrl);

        /// <summary>
        /// The page's sessions as people look for them: those still to come first (soonest first), then those that are over
        /// (latest first). A list asked latest-first already reads that way, so it stays one table.
        /// </summary>
        public IEnumerable<SessionTable> Tables(SessionPage page)
        {
            var rows = page.Items.Select(Row).ToList();
            if (ScheduledQuery.Given(Query.Sort) == SortDescending)
            {
                yield return new SessionTable("sessions-all", "Sessions", rows, User.IsRealtor);
                yield break;
            }
            var upcoming = rows.Where(row => row.Item.EndTime > Now).ToList();
            var past = rows.Where(row => row.Item.EndTime <= Now).Reverse().ToList();
            if (upcoming.Count > 0) yield return new SessionTable("sessions-upcoming", "Upcoming", upcoming, User.IsRealtor);
            if (past.Count > 0) yield return new SessionTable("sessions-past", "Past", past, User.IsRealtor);
        }
    }

    public sealed record SessionTable(string Id, string Title, IReadOnlyList<SessionRowView> Rows, bool ForRealtor);

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/calendly/events/scheduled", ListScheduled)
            .RequireAuthorization()
            .Validate<ScheduledQuery>()
            .ProducesCalendlyErrors()
            .WithTags("Sessions")
            .WithSummary("Scheduled sessions: a coach's Calendly events with their invitees, or the sessions a realtor booked. "
                + "Times without an offset are read in the caller's time zone.");

        var pages = app.MapGroup(PagePath).RequireAuthorization().ExcludeFromDescription();
        pages.MapGet("", ShowSessions);
        pages.MapGet("/refresh", RefreshSessions);
        pages.MapGet("/rows/{uuid:regex(^[A-Za-z0-9-]{{1,64}}$)}", ShowSessionRow);
    }

    public static async Task<Ok<Envelope<SessionPage>>> ListScheduled([AsParameters] ScheduledQuery query, CurrentUser user,
        NpgsqlDataSource db, CalendlyCalls calls, IDataProtectionProvider protection, CancellationToken ct) =>
        TypedResults.Ok(Envelope.Of(await QuerySessionsAsync(query, user, db, calls, protection, ct)));

    public static Task<IResult> ShowSessions(HttpContext context, [AsParameters] ScheduledQuery query, CurrentUser user,
        NpgsqlDataSource db, CalendlyCalls calls, IDataProtectionProvider protection, TimeProvider clock, CancellationToken ct) =>
        SessionsAsync(context, query, user, db, calls, protection, clock, polled: false, ct);

    /// <summary>The list's own polling: the same list, replacing the history entry rather than adding one every 30 seconds.</summary>
    public static Task<IResult> RefreshSessions(HttpContext context, [AsParameters] ScheduledQuery query, CurrentUser user,
        NpgsqlDataSource db, CalendlyCalls calls, IDataProtectionProvider protection, TimeProvider clock, CancellationToken ct) =>
        SessionsAsync(context, query, user, db, calls, protection, clock, polled: true, ct);

    private static async Task<IResult> SessionsAsync(HttpContext context, ScheduledQuery query, CurrentUser user, NpgsqlDataSource db,
        CalendlyCalls calls, IDataProtectionProvider protection, TimeProvider clock, bool polled, CancellationToken ct)
    {
        var errors = await Validation.ProblemsAsync(context, query);
        var page = errors is null ? await QuerySessionsAsync(query, user, db, calls, protection, ct) : null;
        var view = new SessionsView(user, query, page, errors ?? [], clock.GetUtcNow(), ZoneOf(user));
        // The address bar follows the filters and the page, so what is on screen can be bookmarked and reloaded.
        if (context.Request.IsHtmx())
            context.Response.Htmx(h =>
            {
                if (polled) h.ReplaceUrl(view.CurrentUrl);
                else h.PushUrl(view.CurrentUrl);
            });
        var status = errors is null ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity;
        var fullPage = SessionsPage.Create(view);
        var list = _SessionList.Create(view);
        fullPage.StatusCode = list.StatusCode = status;
        return HtmxPages.PageOrPartial(context, fullPage, list);
    }

    /// <summary>One session's row again, for a row that changed (Cancel's answer bubbles "sessions-changed" up to it).</summary>
    public static async Task<IResult> ShowSessionRow(string uuid, HttpContext context, CurrentUser user, NpgsqlDataSource db,
        CalendlyCalls calls, TimeProvider clock, CancellationToken ct)
    {
        var items = await SessionItems.OfEventAsync(uuid, user, db, calls, ct);
        if (items.Count == 0) throw new ApiException(StatusCodes.Status404NotFound, "not_found", "There is no such session.");
        return Rows(items, user, clock, ReturnUrlOf(context.Request));
    }

    /// <summary>Rows rendered for htmx to swap in place of the old one.</summary>
    internal static IResult Rows(IReadOnlyList<SessionItem> items, CurrentUser user, TimeProvider clock, string returnUrl)
    {
        var now = clock.GetUtcNow();
        var zone = ZoneOf(user);
        return _SessionRows.Create([.. items.Select(item => new SessionRowView(item, user, now, zone, returnUrl))]);
    }

    /// <summary>The list page the request came from (htmx names it), so rows' forms lead back there without JavaScript.</summary>
    internal static string ReturnUrlOf(HttpRequest request) =>
        request.IsHtmx(out var htmx) && Uri.TryCreate(htmx?.CurrentUrl, UriKind.Absolute, out var current) && current.AbsolutePath == PagePath
            ? current.PathAndQuery
            : PagePath;

    internal static TimeZoneInfo ZoneOf(CurrentUser user) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(user.TimeZone, out var zone) ? zone : TimeZoneInfo.Utc;

    private static async Task<SessionPage> QuerySessionsAsync(ScheduledQuery query, CurrentUser user, NpgsqlDataSource db,
        CalendlyCalls calls, IDataProtectionProvider protection, CancellationToken ct)
    {
        var filters = Filters.Of(query, ZoneOf(user));
        if (!user.IsRealtor) return await SessionItems.ForCoachAsync(filters, user, db, calls, ct);

        var tokens = new PageTokens(protection, user.Id, filters);
        var after = filters.PageToken is null ? null : tokens.Read(filters.PageToken) ?? throw InvalidPageToken();
        var (items, last) = await SessionItems.ForRealtorAsync(filters, after, user, db, ct);
        return new SessionPage(items, last is null ? null : tokens.Write(last));
    }

    internal static ApiException InvalidPageToken() =>
        new(StatusCodes.Status400BadRequest, "validation_failed", "The request is invalid.",
            new Dictionary<string, string[]> { ["pageToken"] = ["is not a page token from this list (changed, or made for other filters)."] });

    /// <summary>Where the next page of a realtor's sessions starts: after this session in the list's order.</summary>
    internal sealed record Keyset(DateTimeOffset StartTime, long Id);

    /// <summary>
    /// A realtor's page token: the keyset, bound to the user and the filters, sealed with Data Protection so that a
    /// changed token, or one reused with other filters or by someone else, is refused rather than misread.
    /// </summary>
    private sealed class PageTokens(IDataProtectionProvider protection, long userId, Filters filters)
    {
        private readonly IDataProtector _protector = protection.CreateProtector("sessions-page-token");
        private readonly string _scope = string.Join('|', userId, filters.Status, filters.MinStart?.UtcTicks, filters.MaxStart?.UtcTicks,
            filters.Descending);

        public string Write(Keyset after) =>
            _protector.Protect(string.Join('|', _scope, after.StartTime.UtcTicks.ToString(CultureInfo.InvariantCulture),
                after.Id.ToString(CultureInfo.InvariantCulture)));

        public Keyset? Read(string token)
        {
            string text;
            try
            {
                text = _protector.Unprotect(token);
            }
            catch (CryptographicException)
            {
                return null;
            }
            var parts = text.Split('|');
            if (parts.Length != 7 || string.Join('|', parts[..5]) != _scope) return null;
            return new Keyset(new DateTimeOffset(long.Parse(parts[5], CultureInfo.InvariantCulture), TimeSpan.Zero),
                long.Parse(parts[6], CultureInfo.InvariantCulture));
        }
    }

    /// <summary>
    /// ISO-8601 as people and programs write it: a date, or a date and time with optional seconds, fraction and offset.
    /// Without an offset it is a local time in <paramref name="zone"/> (a time that does not exist there is refused).
    /// </summary>
    public static bool TryReadInstant(string text, TimeZoneInfo zone, out DateTimeOffset instant)
    {
        instant = default;
        var match = IsoInstant().Match(text);
        if (!match.Success) return false;
        if (match.Groups["offset"].Success)
        {
            if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var withOffset)) return false;
            instant = withOffset.ToUniversalTime();
            return true;
        }
        if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local) || zone.IsInvalidTime(local)) return false;
        instant = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone));
        return true;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(?<offset>Z|[+-]\d{2}:\d{2})?)?$")]
    private static partial Regex IsoInstant();
}
