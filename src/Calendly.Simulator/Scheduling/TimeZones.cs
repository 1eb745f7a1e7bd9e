using System.Collections.Concurrent;

namespace Calendly.Simulator.Scheduling;

/// <summary>IANA time zones (from the system's tz database) and the local ↔ UTC conversions that schedules need.</summary>
public static class TimeZones
{
    private static readonly ConcurrentDictionary<string, TimeZoneInfo?> Cache = new();

    public static TimeZoneInfo? TryFind(string? id) =>
        string.IsNullOrWhiteSpace(id) ? null
        : Cache.GetOrAdd(id, static name => TimeZoneInfo.TryFindSystemTimeZoneById(name, out var zone) ? zone : null);

    public static TimeZoneInfo Find(string id) => TryFind(id) ?? throw new InvalidOperationException($"Unknown time zone '{id}'.");

    public static DateOnly LocalDate(DateTimeOffset instant, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);

    public static DateTime LocalTime(DateTimeOffset instant, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(instant, zone).DateTime;

    /// <summary>The instant of a wall-clock time, or null when the time does not exist (skipped by a DST change).</summary>
    public static DateTimeOffset? ToInstant(DateOnly date, TimeOnly time, TimeZoneInfo zone)
    {
        var local = DateTime.SpecifyKind(date.ToDateTime(time), DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local)) return null;
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, zone), TimeSpan.Zero);
    }
}
