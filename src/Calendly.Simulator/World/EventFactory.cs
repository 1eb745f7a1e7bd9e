namespace Calendly.Simulator.World;

/// <summary>New scheduled events and invitees, shaped the same whether the seed, a booking or a reschedule makes them.</summary>
public static class EventFactory
{
    public static ScheduledEvent AddEvent(SimulatedWorld world, string uuid, EventType type, DateTimeOffset start, DateTimeOffset at)
    {
        var scheduled = new ScheduledEvent
        {
            Uuid = uuid,
            EventTypeUuid = type.Uuid,
            HostUuid = type.OwnerUuid,
            Name = type.Name,
            Start = start,
            End = start + type.Duration,
            Capacity = type.Capacity,
            LocationKind = type.LocationKind,
            BufferBefore = type.BufferBefore,
            BufferAfter = type.BufferAfter,
            CreatedAt = at,
            UpdatedAt = at,
        };
        world.Add(scheduled);
        return scheduled;
    }

    public static Invitee AddInvitee(SimulatedWorld world, string uuid, ScheduledEvent scheduled, string name, string email,
        string timezone, DateTimeOffset at, Tracking? tracking = null, string? oldInviteeUuid = null)
    {
        var invitee = new Invitee
        {
            Uuid = uuid,
            EventUuid = scheduled.Uuid,
            Name = name,
            Email = email,
            Timezone = timezone,
            CreatedAt = at,
            UpdatedAt = at,
            Tracking = tracking ?? new Tracking(),
            OldInviteeUuid = oldInviteeUuid,
        };
        world.Add(invitee);
        scheduled.UpdatedAt = at;
        return invitee;
    }
}
