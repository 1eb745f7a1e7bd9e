using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.AspNetCore.Mvc;

// The week of free times in each coach's card on the Coaches page, loaded as the card scrolls into view.
[assembly: PagePart(PagePlaces.CoachCard, "free-times", "See {coachName}'s free times this week", "/coaches/{coachId}/free-times",
    Trigger = "intersect once")]

namespace App.Features.FreeTimes;

/// <summary>
/// A coach's free times, for anyone signed in (realtors book from them): JSON by event type, and a week grid per coach
/// in the viewer's time zone. Calendly is asked with the hosting coach's token, whoever asks, through FreeTimesCache.
/// </summary>
public sealed class FreeTimesModule : ICarterModule
{
    public const int MaxRangeDays = 31;

    public sealed record FreeTimesQuery(string? EventUri, string? StartTime, string? EndTime)
    {
        /// <summary>
        /// The query checked and parsed in one pass, or the problems by field. Not a FluentValidation validator like the
        /// other routes have: this is the app's busiest route, and the validator took a third of the time of answering
        /// it from the cache (BENCHMARKS.md).
        /// </summary>
        public bool TryParse(out AskedWindow asked, [NotNullWhen(false)] out Dictionary<string, string[]>? problems)
        {
            problems = null;
            if (string.IsNullOrEmpty(EventUri)) Problem(ref problems, "eventUri", "is required.");
            else if (!IsEventTypeUri(EventUri))
                Problem(ref problems, "eventUri", "must be a Calendly event type URI, such as https://api.calendly.com/event_types/{uuid}.");
            var start = Time(StartTime, "startTime", "2026-03-09T14:00:00Z", ref problems);
            var end = Time(EndTime, "endTime", "2026-03-16T14:00:00Z", ref problems);
            if (start is not null && end is not null)
            {
                if (end <= start) Problem(ref problems, "endTime", "must be after startTime.");
                else if (end - start > TimeSpan.FromDays(MaxRangeDays)) Problem(ref problems, "endTime", $"must be at most {MaxRangeDays} days after startTime.");
            }
            asked = problems is null ? new AskedWindow(EventUri!, start!.Value, end!.Value) : default;
            return problems is null;
        }

        private static DateTimeOffset? Time(string? text, string field, string example, ref Dictionary<string, string[]>? problems)
        {
            if (string.IsNullOrEmpty(text)) Problem(ref problems, field, "is required.");
            else if (ParseTime(text) is { } time) return time;
            else Problem(ref problems, field, $"must be an ISO-8601 date and time, such as {example}.");
            return null;
        }

        private static void Problem(ref Dictionary<string, string[]>? problems, string field, string message) =>
            (problems ??= [])[field] = [message];
    }

    public readonly record struct AskedWindow(string EventTypeUri, DateTimeOffset Start, DateTimeOffset End);

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/calendly/availability/free", GetFreeTimes)
            .ProducesErrors(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound)
            .ProducesCalendlyErrors()
            .RequireAuthorization()
            .WithTags("FreeTimes")
            .WithSummary("Free times of a coach's event type between startTime and endTime (at most 31 days; a past start counts from now).");
        app.MapGet("/coaches/{coachId:long}/free-times", ShowWeek).RequireAuthorization().ExcludeFromDescription();
    }

    public static async Task<Results<FreeTimesJson, ApiErrorResult>> GetFreeTimes([AsParameters] FreeTimesQuery query,
        [FromServices] FreeTimesSources sources, CancellationToken ct)
    {
        if (!query.TryParse(out var asked, out var problems)) return ApiResults.Validation(problems);
        return await FreeTimesCache.GetAsync(asked.EventTypeUri, asked.Start, asked.End, sources, ct) is { } free
            ? new FreeTimesJson(free)
            : ApiResults.NotFound("No connected coach offers this event type.");
    }

    /// <summary>The week from <paramref name="week"/> (the viewer's today when absent) of one event type of the coach (their first when absent).</summary>
    public static async Task<IResult> ShowWeek(HttpContext context, long coachId, string? week, string? eventUri, CurrentUser user,
        [FromServices] FreeTimesSources sources, CancellationToken ct)
    {
        var viewerZone = WeekGrid.Zone(user.TimeZone);
        var today = WeekGrid.Today(sources.Clock, viewerZone);
        var firstDay = today;
        if (!string.IsNullOrEmpty(week) && !DateOnly.TryParseExact(week, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out firstDay))
            throw new ApiException(StatusCodes.Status400BadRequest, "validation_failed", "week must be a date such as 2026-03-09.",
                new Dictionary<string, string[]> { ["week"] = ["must be a date such as 2026-03-09."] });

        CalendlyCoach? connected;
        await using (var connection = await sources.Db.OpenConnectionAsync(ct))
            connected = await CalendlyCoach.FindAsync(connection, coachId, ct);
        if (connected is null)
            throw new ApiException(StatusCodes.Status404NotFound, "not_found", "This coach has not connected Calendly, so there are no free times to show.");

        var coach = new Coach(connected.Id, connected.CalendlyUserUri);
        var coachName = connected.Name;
        IReadOnlyList<OfferedEventType> eventTypes = [];
        OfferedEventType? selected = null;
        FreeTimeSlots free;
        var unreachable = false;
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
                $"{coachName}'s Calendly connection has lapsed: their free times are back once they reconnect it.", inner: e);
        }
        catch (CalendlyException e) when (e.Failure is CalendlyFailure.Unavailable or CalendlyFailure.RateLimited or CalendlyFailure.InvalidResponse)
        {
            // Calendly is down and this week was never cached: the page still renders, and the week's panel says so and retries.
            free = new FreeTimeSlots([], false, sources.Clock.GetUtcNow());
            unreachable = true;
        }
        var coachZone = WeekGrid.Zone(connected.TimeZone);
        var view = new WeekView(coachId, coachName, coachZone.Id, viewerZone.Id,
            PageContributions.FreeTimeBooking(connected.Grants)?.Href, eventTypes, selected?.Uri ?? (unreachable ? eventUri : null), firstDay,
            WeekGrid.Build(firstDay, free.Slots, viewerZone, coachZone), free.Stale, free.FetchedAt,
            firstDay > today ? firstDay.AddDays(-WeekGrid.Days) : null, firstDay.AddDays(WeekGrid.Days), today, unreachable);
        return HtmxPages.PageOrPartial(context, FreeTimesPage.Create(view), _FreeTimesWeek.Create(view));
    }

    private static readonly string[] IsoFormats =
        ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd"];

    /// <summary>An ISO-8601 instant; without an offset it is taken as UTC.</summary>
    private static DateTimeOffset? ParseTime(string text) =>
        TryParseUtcSeconds(text, out var time)
        || DateTimeOffset.TryParseExact(text, IsoFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time)
            ? time.ToUniversalTime()
            : null;

    // The form callers nearly always send, read without the general parser, which cost this route a microsecond a request.
    private static bool TryParseUtcSeconds(ReadOnlySpan<char> text, out DateTimeOffset time)
    {
        time = default;
        if (text is not [_, _, _, _, '-', _, _, '-', _, _, 'T', _, _, ':', _, _, ':', _, _, 'Z']) return false;
        int year = Digits(text[..4]), month = Digits(text[5..7]), day = Digits(text[8..10]);
        int hour = Digits(text[11..13]), minute = Digits(text[14..16]), second = Digits(text[17..19]);
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour is < 0 or > 23 || minute is < 0 or > 59 || second is < 0 or > 59) return false;
        time = new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero);
        return true;
    }

    // The number the ASCII digits spell, or -1 when any is not a digit.
    private static int Digits(ReadOnlySpan<char> text)
    {
        var number = 0;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c)) return -1;
            number = number * 10 + (c - '0');
        }
        return number;
    }

    /// <summary>
    /// An absolute http(s) URI ending in /event_types/{uuid}, without query or fragment; Calendly's host in live mode, the
    /// simulator's otherwise. Checked by hand rather than through <see cref="Uri"/>, which cost more than the rest of the query.
    /// </summary>
    private static bool IsEventTypeUri(string text)
    {
        var rest = text.StartsWith("https://", StringComparison.Ordinal) ? text.AsSpan("https://".Length)
            : text.StartsWith("http://", StringComparison.Ordinal) ? text.AsSpan("http://".Length)
            : [];
        var host = rest.IndexOf('/');
        var marker = rest.LastIndexOf("/event_types/");
        return host > 0 && marker >= host && !rest[..host].ContainsAnyExcept(HostCharacters) && !rest.ContainsAny(NotInPath)
               && rest[(marker + "/event_types/".Length)..] is { Length: > 0 } uuid && !uuid.ContainsAnyExcept(UuidCharacters);
    }

    private static readonly SearchValues<char> HostCharacters =
        SearchValues.Create("-.:[]0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
    private static readonly SearchValues<char> NotInPath = SearchValues.Create("?# \t\r\n\\");
    private static readonly SearchValues<char> UuidCharacters =
        SearchValues.Create("-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
}
