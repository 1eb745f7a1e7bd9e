using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.WebUtilities;
using App.Infrastructure.Telemetry;
using ZiggyCreatures.Caching.Fusion;

namespace App.Features.FreeTimes;

// The slice's records, in a file of their own: the classes that pass them around depend on them, not on each other.
// Calls go one way: FreeTimesModule and AvailabilitySyncJob call FreeTimesCache and EventTypeOwners; FreeTimesCache
// calls EventTypeOwners (whose token to ask with) and Calendly; nothing calls back up.

/// <summary>What reading free times takes: one singleton (registered in Program.cs), so a request resolves one service, not six.</summary>
public sealed record FreeTimesSources(NpgsqlDataSource Db, CalendlyCalls Calendly, FreeTimesOptions Options, IFusionCache Cache,
    TimeProvider Clock, ILoggerFactory Loggers, CalendlyMetrics Metrics);

/// <summary>A connected coach, as far as asking Calendly goes: whose token to use, and which Calendly user they are.</summary>
public sealed record Coach(long UserId, string CalendlyUserUri);

public sealed record OfferedEventType(string Uri, string Name, int Duration);

public sealed record FreeTimeSlot(DateTimeOffset StartTime, string Status, int InviteesRemaining, string SchedulingUrl);

public sealed record FreeTimeSlots(IReadOnlyList<FreeTimeSlot> Slots, bool Stale, DateTimeOffset FetchedAt)
{
    /// <summary>The slots' JSON as cached, when they come from the cache: see <see cref="SerializedSlots"/>.</summary>
    [JsonIgnore] public CachedSlots? Cached { get; init; }
}

/// <param name="BookingHref">Where a free time is booked, as a slice declared it for this coach's granted scopes
/// (<see cref="FreeTimeBookingAttribute"/>: the app's booking form, or Calendly's own page embedded); null: not bookable here.</param>
/// <param name="Unreachable">Calendly did not answer and nothing of this week was cached: the panel says so and retries.</param>
public sealed record WeekView(
    long CoachId, string CoachName, string CoachTimeZone, string ViewerTimeZone, string? BookingHref,
    IReadOnlyList<OfferedEventType> EventTypes, string? EventTypeUri,
    DateOnly FirstDay, IReadOnlyList<WeekDay> Days, bool Stale, DateTimeOffset FetchedAt, DateOnly? PreviousWeek, DateOnly NextWeek,
    DateOnly Today, bool Unreachable)
{
    /// <summary>How many weeks from this one the week picker offers: a month ahead.</summary>
    public const int WeeksAhead = 5;

    public string Path => $"/coaches/{CoachId}/free-times";

    /// <summary>The weeks a realtor can jump to, starting today's: a month ahead.</summary>
    public IEnumerable<DateOnly> NearWeeks => Enumerable.Range(0, WeeksAhead).Select(week => Today.AddDays(week * WeekGrid.Days));

    public string WeekUrl(DateOnly firstDay) => QueryHelpers.AddQueryString(Path, new Dictionary<string, string?>
    {
        ["week"] = firstDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["eventUri"] = EventTypeUri,
    });
}

public sealed record WeekDay(DateOnly Date, IReadOnlyList<WeekSlot> Slots);

public sealed record WeekSlot(DateTimeOffset StartTime, string ViewerTime, string CoachTime, int InviteesRemaining);
