using Calendly.Simulator.World;

namespace Calendly.Simulator.Scheduling;

/// <summary>A time a host cannot be booked: a Calendly meeting (with its buffers) or an external calendar block.</summary>
public sealed record BusyTime(DateTimeOffset Start, DateTimeOffset End, DateTimeOffset BufferedStart, DateTimeOffset BufferedEnd,
    ScheduledEvent? Event)
{
    public bool Overlaps(DateTimeOffset start, DateTimeOffset end) => BufferedStart < end && start < BufferedEnd;
}

public static class BusyTimes
{
    /// <summary>The host's busy times overlapping [from, to), in ascending order, leaving out one event if asked (a reschedule's old one).</summary>
    public static IReadOnlyList<BusyTime> Of(SimulatedWorld world, string userUuid, DateTimeOffset from, DateTimeOffset to,
        string? ignoringEventUuid = null) =>
    [
        .. world.Events.Values
            .Where(e => e.HostUuid == userUuid && e.Status == EventStatus.Active && e.Uuid != ignoringEventUuid)
            .Select(e => new BusyTime(e.Start, e.End, e.Start - e.BufferBefore, e.End + e.BufferAfter, e))
            .Concat(world.ExternalBusyTimes.Where(b => b.UserUuid == userUuid)
                .Select(b => new BusyTime(b.Start, b.End, b.Start, b.End, null)))
            .Where(b => b.Overlaps(from, to))
            .OrderBy(b => b.Start),
    ];
}
