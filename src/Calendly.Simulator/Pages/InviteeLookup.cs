using Calendly.Simulator.Scheduling;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Pages;

/// <summary>What the cancel and reschedule pages show of a booking, copied out of the world under its lock.</summary>
public sealed record InviteeView(string InviteeUuid, string Zone, EventType Type, string HostName,
    DateTimeOffset Start, bool Canceled, bool Past, bool SharesEvent)
{
    /// <summary>Why this booking cannot be changed any more, or null while it can.</summary>
    public string? Closed => Canceled ? "This booking has already been canceled." : Past ? "This meeting is in the past." : null;

    public static InviteeView? Find(WorldStore world, string inviteeUuid, DateTimeOffset now) => world.Locked(w =>
    {
        if (!w.Invitees.TryGetValue(inviteeUuid, out var invitee)) return null;
        var scheduled = w.Events[invitee.EventUuid];
        var host = w.Users[scheduled.HostUuid];
        var zone = TimeZones.TryFind(invitee.Timezone) is not null ? invitee.Timezone : host.Timezone;
        return new InviteeView(invitee.Uuid, zone, w.EventTypes[scheduled.EventTypeUuid], host.Name,
            scheduled.Start, invitee.Status == EventStatus.Canceled, scheduled.Start <= now, w.ActiveInviteeCount(scheduled.Uuid) > 1);
    });
}
