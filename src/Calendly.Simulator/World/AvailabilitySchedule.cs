namespace Calendly.Simulator.World;

/// <summary>Opening hours in the schedule's own time zone; an empty interval list closes the day.</summary>
public sealed record AvailabilitySchedule(
    string Uuid,
    string UserUuid,
    string Name,
    bool IsDefault,
    string Timezone,
    IReadOnlyList<AvailabilityRule> Rules);

public sealed record TimeInterval(TimeOnly From, TimeOnly To);

/// <summary>Either a weekly rule (Weekday set) or a date override (Date set); an override replaces that day's weekly rule.</summary>
public sealed record AvailabilityRule(DayOfWeek? Weekday, DateOnly? Date, IReadOnlyList<TimeInterval> Intervals)
{
    public static AvailabilityRule Weekly(DayOfWeek day, params TimeInterval[] intervals) => new(day, null, intervals);
    public static AvailabilityRule Override(DateOnly date, params TimeInterval[] intervals) => new(null, date, intervals);
}

/// <summary>A block from a connected external calendar (Google, Outlook…) that Calendly treats as busy.</summary>
public sealed record ExternalBusyTime(string UserUuid, DateTimeOffset Start, DateTimeOffset End);
