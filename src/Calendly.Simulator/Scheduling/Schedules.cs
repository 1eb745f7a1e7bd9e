using Calendly.Simulator.World;

namespace Calendly.Simulator.Scheduling;

public static class Schedules
{
    /// <summary>The opening hours of one local date: its date override if there is one, else its weekday rule.</summary>
    public static IReadOnlyList<TimeInterval> IntervalsOn(AvailabilitySchedule schedule, DateOnly date) =>
        (schedule.Rules.FirstOrDefault(r => r.Date == date) ?? schedule.Rules.FirstOrDefault(r => r.Weekday == date.DayOfWeek))
        ?.Intervals ?? [];
}
