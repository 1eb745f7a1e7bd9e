using Calendly.Simulator.World;

namespace Calendly.Simulator.Scheduling;

/// <summary>A start time on the event type's schedule. Free = bookable now; a taken slot is on the schedule but not bookable.</summary>
public sealed record Slot(DateTimeOffset Start, int InviteesRemaining, bool Free);

/// <summary>
/// Start times of an event type: the owner's default schedule, in its time zone, stepped by the event type's
/// start_time_increment, minus busy times. A group event type's slot stays free while its existing event at that time has seats left.
/// </summary>
public static class FreeSlots
{
    public static IEnumerable<Slot> Find(SimulatedWorld world, EventType type, DateTimeOffset from, DateTimeOffset to,
        DateTimeOffset now, string? ignoringEventUuid = null)
    {
        if (world.DefaultSchedule(type.OwnerUuid) is not { } schedule) yield break;
        var zone = TimeZones.Find(schedule.Timezone);
        var busy = BusyTimes.Of(world, type.OwnerUuid, from - TimeSpan.FromDays(1), to + type.Duration + TimeSpan.FromDays(1), ignoringEventUuid);
        var step = TimeSpan.FromMinutes(type.StartTimeIncrementMinutes);

        // A day earlier and later than the window, because a local date can start before or end after the UTC window.
        for (var date = TimeZones.LocalDate(from, zone).AddDays(-1); date <= TimeZones.LocalDate(to, zone).AddDays(1); date = date.AddDays(1))
        {
            foreach (var opening in Schedules.IntervalsOn(schedule, date))
            {
                for (var time = opening.From.ToTimeSpan(); time + type.Duration <= End(opening); time += step)
                {
                    if (TimeZones.ToInstant(date, TimeOnly.FromTimeSpan(time), zone) is not { } start) continue;
                    if (start < from || start >= to || start <= now) continue;
                    yield return SlotAt(world, type, start, busy);
                }
            }
        }
    }

    /// <summary>The slot starting exactly at <paramref name="start"/>, or null when that is not a start time of the schedule.</summary>
    public static Slot? At(SimulatedWorld world, EventType type, DateTimeOffset start, DateTimeOffset now, string? ignoringEventUuid = null) =>
        Find(world, type, start, start.AddTicks(1), now, ignoringEventUuid).FirstOrDefault();

    private static Slot SlotAt(SimulatedWorld world, EventType type, DateTimeOffset start, IReadOnlyList<BusyTime> busy)
    {
        var end = start + type.Duration;
        if (type.Kind == EventKind.Group && busy.FirstOrDefault(b => b.Event?.EventTypeUuid == type.Uuid && b.Start == start) is { } joinable)
        {
            var remaining = joinable.Event!.Capacity - world.ActiveInviteeCount(joinable.Event.Uuid);
            var othersClash = busy.Any(b => b != joinable && b.Overlaps(start - type.BufferBefore, end + type.BufferAfter));
            return new Slot(start, Math.Max(remaining, 0), remaining > 0 && !othersClash);
        }
        var free = !busy.Any(b => b.Overlaps(start - type.BufferBefore, end + type.BufferAfter));
        return new Slot(start, type.Capacity, free);
    }

    // "24:00" cannot be a TimeOnly; a rule ending at 00:00 means midnight at the end of the day.
    private static TimeSpan End(TimeInterval opening) =>
        opening.To == TimeOnly.MinValue ? TimeSpan.FromDays(1) : opening.To.ToTimeSpan();
}
