using System.Globalization;
using App.Infrastructure.Api;
using App.Infrastructure.Auth;
using App.Infrastructure.Calendly;
using App.Infrastructure.Configuration;
using App.Infrastructure.Web;
using Carter;
using Dapper;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Npgsql;
using ZiggyCreatures.Caching.Fusion;

namespace App.Features.FreeTimes;

/// <summary>
/// A coach's free times, for anyone signed in (realtors book from them): JSON by event type, and a week grid per coach
/// in the viewer's time zone. Calendly is asked with the hosting coach's token, whoever asks, through FreeTimesCache.
/// </summary>
public sealed class FreeTimesModule : ICarterModule
{
    public const int MaxRangeDays = 31;

    public sealed record FreeTimesQuery(string? EventUri, string? StartTime, string? EndTime);

    public sealed record FreeTimeSlot(DateTimeOffset StartTime, string Status, int InviteesRemaining, string SchedulingUrl);

    public sealed record FreeTimeSlots(IReadOnlyList<FreeTimeSlot> Slots, bool Stale, DateTimeOffset FetchedAt);

    /// <summary>What reading free times takes, bound from the container in one parameter.</summary>
    public sealed record FreeTimesSources(NpgsqlDataSource Db, CalendlyCalls Calendly, CalendlyOptions Options, IFusionCache Cache,
        TimeProvider Clock, ILogger<FreeTimesModule> Logger);

    public sealed record WeekView(
        long CoachId, string CoachName, string CoachTimeZone, string ViewerTimeZone,
        IReadOnlyList<EventTypeOwners.OfferedEventType> EventTypes, string? EventTypeUri,
        DateOnly FirstDay, IReadOnlyList<WeekDay> Days, bool Stale, DateTimeOffset FetchedAt, DateOnly? PreviousWeek, DateOnly NextWeek)
    {
        public string Path => $"/coaches/{CoachId}/free-times";

        public string WeekUrl(DateOnly firstDay) => QueryHelpers.AddQueryString(Path, new Dictionary<string, string?>
        {
            ["week"] = firstDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["eventUri"] = EventTypeUri,
        });
    }

    public sealed record WeekDay(DateOnly Date, IReadOnlyList<WeekSlot> Slots);

    public sealed record WeekSlot(DateTimeOffset StartTime, string ViewerTime, string CoachTime, int InviteesRemaining, string SchedulingUrl);

    public sealed class FreeTimesQueryValidator : AbstractValidator<FreeTimesQuery>
    {
        public FreeTimesQueryValidator()
        {
            RuleFor(q => q.EventUri).Cascade(CascadeMode.Stop)
                .NotEmpty().WithMessage("is required.")
                .Must(IsEventTypeUri).WithMessage("must be a Calendly event type URI, such as https://api.calendly.com/event_types/{uuid}.");
            RuleFor(q => q.StartTime).Cascade(CascadeMode.Stop)
                .NotEmpty().WithMessage("is required.")
                .Must(t => ParseTime(t) is not null).WithMessage("must be an ISO-8601 date and time, such as 2026-03-09T14:00:00Z.");
            RuleFor(q => q.EndTime).Cascade(CascadeMode.Stop)
                .NotEmpty().WithMessage("is required.")
                .Must(t => ParseTime(t) is not null).WithMessage("must be an ISO-8601 date and time, such as 2026-03-16T14:00:00Z.")
                .Must((q, end) => ParseTime(q.StartTime) is not { } start || ParseTime(end) > start)
                .WithMessage("must be after startTime.")
                .Must((q, end) => ParseTime(q.StartTime) is not { } start || ParseTime(end) - start <= TimeSpan.FromDays(MaxRangeDays))
                .WithMessage($"must be at most {MaxRangeDays} days after startTime.");
        }
    }

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/calendly/availability/free", GetFreeTimes)
            .Validate<FreeTimesQuery>()
            .RequireAuthorization()
            .WithTags("FreeTimes")
            .WithSummary("Free times of a coach's event type between startTime and endTime (at most 31 days; a past start counts from now).");
        app.MapGet("/coaches/{coachId:long}/free-times", ShowWeek).RequireAuthorization().ExcludeFromDescription();
    }

    public static async Task<Results<Ok<Envelope<FreeTimeSlots>>, ApiErrorResult>> GetFreeTimes([AsParameters] FreeTimesQuery query,
        [AsParameters] FreeTimesSources sources, CancellationToken ct)
    {
        var eventTypeUri = query.EventUri!;
        if (await EventTypeOwners.FindAsync(eventTypeUri, sources, ct) is not { } coach)
            return ApiResults.NotFound("No connected coach offers this event type.");
        var free = await FreeTimesCache.GetAsync(coach.UserId, eventTypeUri, ParseTime(query.StartTime)!.Value,
            ParseTime(query.EndTime)!.Value, sources, ct);
        return TypedResults.Ok(Envelope.Of(free));
    }

    private sealed record CoachRow(long UserId, string CalendlyUserUri, string Name, string TimeZone);

    private const string CoachSql = """
        select u.id as user_id, i.calendly_user_uri, coalesce(u.email, u.external_id) as name, u.time_zone
        from users u
        join calendly_integrations i on i.user_id = u.id
        where u.id = @CoachId
        """;

    /// <summary>The week from <paramref name="week"/> (the viewer's today when absent) of one event type of the coach (their first when absent).</summary>
    public static async Task<IResult> ShowWeek(HttpContext context, long coachId, string? week, string? eventUri, CurrentUser user,
        [AsParameters] FreeTimesSources sources, CancellationToken ct)
    {
        var viewerZone = Zone(user.TimeZone);
        var today = WeekGrid.Today(sources.Clock, viewerZone);
        var firstDay = today;
        if (!string.IsNullOrEmpty(week) && !DateOnly.TryParseExact(week, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out firstDay))
            throw new ApiException(StatusCodes.Status400BadRequest, "validation_failed", "week must be a date such as 2026-03-09.",
                new Dictionary<string, string[]> { ["week"] = ["must be a date such as 2026-03-09."] });

        CoachRow? row;
        await using (var connection = await sources.Db.OpenConnectionAsync(ct))
            row = await connection.QuerySingleOrDefaultAsync<CoachRow>(new CommandDefinition(CoachSql, new { CoachId = coachId }, cancellationToken: ct));
        if (row is null)
            throw new ApiException(StatusCodes.Status404NotFound, "not_found", "This coach has not connected Calendly, so there are no free times to show.");

        var coach = new EventTypeOwners.Coach(row.UserId, row.CalendlyUserUri);
        IReadOnlyList<EventTypeOwners.OfferedEventType> eventTypes;
        EventTypeOwners.OfferedEventType? selected;
        FreeTimeSlots free;
        try
        {
            eventTypes = await EventTypeOwners.ListAsync(coach, sources, ct);
            selected = string.IsNullOrEmpty(eventUri)
                ? eventTypes.FirstOrDefault()
                : eventTypes.FirstOrDefault(t => t.Uri == eventUri)
                  ?? throw new ApiException(StatusCodes.Status404NotFound, "not_found", "This coach offers no such event type.");
            var (start, end) = WeekGrid.Window(firstDay, viewerZone);
            free = selected is null
                ? new FreeTimeSlots([], false, sources.Clock.GetUtcNow())
                : await FreeTimesCache.GetAsync(coach.UserId, selected.Uri, start, end, sources, ct);
        }
        catch (CalendlyException e) when (e.Failure == CalendlyFailure.ReconnectRequired && user.Id != coachId)
        {
            // The error page would offer the viewer to reconnect Calendly, which only the coach can do.
            throw new ApiException(StatusCodes.Status409Conflict, "conflict",
                $"{row.Name}'s Calendly connection has lapsed: their free times are back once they reconnect it.", inner: e);
        }
        var coachZone = Zone(row.TimeZone);
        var view = new WeekView(coachId, row.Name, coachZone.Id, viewerZone.Id, eventTypes, selected?.Uri, firstDay,
            WeekGrid.Build(firstDay, free.Slots, viewerZone, coachZone), free.Stale, free.FetchedAt,
            firstDay > today ? firstDay.AddDays(-WeekGrid.Days) : null, firstDay.AddDays(WeekGrid.Days));
        return HtmxPages.PageOrPartial(context, FreeTimesPage.Create(view), _FreeTimesWeek.Create(view));
    }

    private static readonly string[] IsoFormats =
        ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd"];

    /// <summary>An ISO-8601 instant; without an offset it is taken as UTC.</summary>
    private static DateTimeOffset? ParseTime(string? text) =>
        DateTimeOffset.TryParseExact(text, IsoFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time.ToUniversalTime()
            : null;

    /// <summary>An absolute http(s) URI ending in /event_types/{uuid}; Calendly's host in live mode, the simulator's otherwise.</summary>
    private static bool IsEventTypeUri(string? text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Query.Length == 0 && uri.Fragment.Length == 0
        && uri.Segments is [.., "event_types/", var uuid] && uuid.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    internal static TimeZoneInfo Zone(string id) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;
}
