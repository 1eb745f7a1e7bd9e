using System.Globalization;

namespace App.Features.FreeTimes;

/// <summary>
/// Seven days of the viewer's calendar. Slots are instants: each goes under the viewer's local date of that instant,
/// so a week across a daylight-saving change has a 23- or 25-hour day and every slot still lands on its own day.
/// </summary>
public static class WeekGrid
{
    public const int Days = 7;

    /// <summary>From the viewer's midnight on the first day to their midnight after the last (a week unless told).</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) Window(DateOnly firstDay, TimeZoneInfo viewer, int days = Days) =>
        (StartOfDay(firstDay, viewer), StartOfDay(firstDay.AddDays(days), viewer));

    public static IReadOnlyList<WeekDay> Build(DateOnly firstDay, IEnumerable<FreeTimeSlot> slots, TimeZoneInfo viewer, TimeZoneInfo coach)
    {
        var byDate = slots.ToLookup(slot => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(slot.StartTime, viewer).DateTime));
        return Enumerable.Range(0, Days).Select(offset => firstDay.AddDays(offset)).Select(date => new WeekDay(date,
            byDate[date].Select(slot => new WeekSlot(
                slot.StartTime,
                Format(slot.StartTime, viewer, "HH:mm"),
                Format(slot.StartTime, coach, "ddd HH:mm"),
                slot.InviteesRemaining)).ToList())).ToList();
    }

    /// <summary>A user's time zone by its id; UTC when this machine does not know it.</summary>
    public static TimeZoneInfo Zone(string id) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;

    public static DateOnly Today(TimeProvider clock, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), zone).DateTime);

    /// <summary>The first instant of a local date: where midnight is skipped (a change at 00:00) the day starts later; where it happens twice, at the first.</summary>
    private static DateTimeOffset StartOfDay(DateOnly date, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(TimeOnly.MinValue);
        while (zone.IsInvalidTime(local)) local = local.AddMinutes(15);
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }

    private static string Format(DateTimeOffset instant, TimeZoneInfo zone, string format) =>
        TimeZoneInfo.ConvertTime(instant, zone).ToString(format, CultureInfo.InvariantCulture);
}
