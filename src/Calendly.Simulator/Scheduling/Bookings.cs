using System.Net.Mail;
using Calendly.Simulator.Webhooks;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Scheduling;

/// <summary>Why a booking, cancellation or reschedule cannot happen, as an HTTP status and a sentence for a person.</summary>
public sealed record Refusal(int Status, string Message);

public sealed record Booked(string EventUuid, string InviteeUuid);

public sealed record BookingResult(Booked? Booked, Refusal? Refusal);

/// <summary>
/// What invitees do: book a free slot, cancel their own booking, reschedule it. Each change is atomic under the world
/// lock and fires the webhooks Calendly would fire, right after the change.
/// </summary>
public sealed class Bookings(WorldStore store, TimeProvider clock, WebhookPublisher webhooks)
{
    public BookingResult Book(string eventTypeUuid, DateTimeOffset start, InviteeDetails invitee) =>
        store.Locked(world =>
        {
            if (!world.EventTypes.TryGetValue(eventTypeUuid, out var type) || type.DeletedAt is not null)
                return Refused(404, "There is no such event type.");
            if (string.IsNullOrWhiteSpace(invitee.Name)) return Refused(400, "The invitee's name is required.");
            if (!MailAddress.TryCreate(invitee.Email, out _)) return Refused(400, "The invitee's email is not a valid address.");
            if (CheckSlot(world, type, start, null) is { } refusal) return new BookingResult(null, refusal);
            var now = clock.GetUtcNow();
            var scheduled = JoinableEvent(world, type, start)
                ?? EventFactory.AddEvent(world, IdSource.Random.For("event"), type, start, now, EventFactory.LocationFor(type, invitee));
            var added = EventFactory.AddInvitee(world, IdSource.Random.For("invitee"), scheduled, invitee,
                InviteeTimezone(world, type, invitee.Timezone), now);
            webhooks.InviteeChanged(world, WebhookEvents.InviteeCreated, added);
            return new BookingResult(new Booked(scheduled.Uuid, added.Uuid), null);
        });

    /// <summary>The invitee's own cancellation: only that invitee on a group event; the whole event once nobody is left.</summary>
    public Refusal? CancelByInvitee(string inviteeUuid, string? reason) => store.Locked(world =>
    {
        if (ActiveFutureInvitee(world, inviteeUuid) is not { } invitee) return NotCancelable(world, inviteeUuid);
        var cancellation = new Cancellation(invitee.Name, reason, CancelerType.Invitee, clock.GetUtcNow());
        CancelInvitee(world, invitee, cancellation);
        webhooks.InviteeChanged(world, WebhookEvents.InviteeCanceled, invitee);
        return null;
    });

    /// <summary>
    /// Calendly's reschedule: the old invitee is canceled (rescheduled = true, new_invitee set) and a new invitee is
    /// booked on a new event (old_invitee set); invitee.canceled then invitee.created.
    /// </summary>
    public BookingResult Reschedule(string inviteeUuid, DateTimeOffset start, string? reason) => store.Locked(world =>
    {
        if (ActiveFutureInvitee(world, inviteeUuid) is not { } old) return new BookingResult(null, NotCancelable(world, inviteeUuid));
        var oldEvent = world.Events[old.EventUuid];
        var type = world.EventTypes[oldEvent.EventTypeUuid];
        // The old meeting must not block its own new time when it goes away with this invitee.
        var released = world.ActiveInviteeCount(oldEvent.Uuid) == 1 ? oldEvent.Uuid : null;
        if (CheckSlot(world, type, start, released) is { } refusal) return new BookingResult(null, refusal);

        var now = clock.GetUtcNow();
        CancelInvitee(world, old, new Cancellation(old.Name, reason, CancelerType.Invitee, now));
        var scheduled = JoinableEvent(world, type, start)
            ?? EventFactory.AddEvent(world, IdSource.Random.For("event"), type, start, now, oldEvent.Location);
        var replacement = EventFactory.AddInvitee(world, IdSource.Random.For("invitee"), scheduled, InviteeDetails.Of(old), old.Timezone, now,
            oldInviteeUuid: old.Uuid);
        old.Rescheduled = true;
        old.NewInviteeUuid = replacement.Uuid;
        webhooks.InviteeChanged(world, WebhookEvents.InviteeCanceled, old);
        webhooks.InviteeChanged(world, WebhookEvents.InviteeCreated, replacement);
        return new BookingResult(new Booked(scheduled.Uuid, replacement.Uuid), null);
    });

    /// <summary>The host's cancellation (the API's): the whole event, each active invitee, one invitee.canceled per invitee.</summary>
    public void CancelEvent(SimulatedWorld world, ScheduledEvent scheduled, Cancellation cancellation)
    {
        var active = world.InviteesOf(scheduled.Uuid).Where(i => i.Status == EventStatus.Active).ToList();
        scheduled.Cancel(cancellation);
        foreach (var invitee in active)
        {
            invitee.Cancel(cancellation);
            webhooks.InviteeChanged(world, WebhookEvents.InviteeCanceled, invitee);
        }
    }

    private Refusal? CheckSlot(SimulatedWorld world, EventType type, DateTimeOffset start, string? ignoringEventUuid)
    {
        if (!type.Active) return new Refusal(400, "This event type is not active.");
        var now = clock.GetUtcNow();
        if (start <= now) return new Refusal(400, "The start time is in the past.");
        var slot = FreeSlots.At(world, type, start, now, ignoringEventUuid);
        if (slot is null) return new Refusal(400, "The start time is not one of this event type's start times (see /event_type_available_times).");
        return slot.Free ? null : new Refusal(409, "That time is no longer available.");
    }

    private static ScheduledEvent? JoinableEvent(SimulatedWorld world, EventType type, DateTimeOffset start) =>
        type.Kind != EventKind.Group ? null
        : world.Events.Values.FirstOrDefault(e => e.EventTypeUuid == type.Uuid && e.Start == start && e.Status == EventStatus.Active);

    private static void CancelInvitee(SimulatedWorld world, Invitee invitee, Cancellation cancellation)
    {
        invitee.Cancel(cancellation);
        var scheduled = world.Events[invitee.EventUuid];
        if (world.ActiveInviteeCount(scheduled.Uuid) == 0) scheduled.Cancel(cancellation);
        else scheduled.UpdatedAt = cancellation.CreatedAt;
    }

    private Invitee? ActiveFutureInvitee(SimulatedWorld world, string inviteeUuid) =>
        world.Invitees.TryGetValue(inviteeUuid, out var invitee) && invitee.Status == EventStatus.Active
        && world.Events[invitee.EventUuid].Start > clock.GetUtcNow()
            ? invitee
            : null;

    private static Refusal NotCancelable(SimulatedWorld world, string inviteeUuid) =>
        !world.Invitees.TryGetValue(inviteeUuid, out var invitee) ? new Refusal(404, "There is no such booking.")
        : invitee.Status == EventStatus.Canceled ? new Refusal(400, "This booking is already canceled.")
        : new Refusal(400, "This meeting is in the past.");

    private static string InviteeTimezone(SimulatedWorld world, EventType type, string? timezone) =>
        TimeZones.TryFind(timezone) is not null ? timezone! : world.Users[type.OwnerUuid].Timezone;

    private static BookingResult Refused(int status, string message) => new(null, new Refusal(status, message));
}
