namespace Calendly.Simulator.World;

/// <summary>
/// What an invitee gives when booking: on a booking page, through the Scheduling API, or as the seed's made-up people.
/// Timezone null means the host's; LocationValue is the invitee's answer to a location that asks for one (a phone number).
/// </summary>
public sealed record InviteeDetails(string Name, string Email, string? Timezone)
{
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
    public string? TextReminderNumber { get; init; }
    public IReadOnlyList<QuestionAndAnswer> QuestionsAndAnswers { get; init; } = [];
    public IReadOnlyList<string> Guests { get; init; } = [];
    public string? LocationValue { get; init; }
    public Tracking Tracking { get; init; } = new();
    public string? SchedulingMethod { get; init; }
    public string? ScheduledByUuid { get; init; }

    /// <summary>The same person booking again, as a reschedule does: what they answered comes along.</summary>
    public static InviteeDetails Of(Invitee invitee) => new(invitee.Name, invitee.Email, invitee.Timezone)
    {
        FirstName = invitee.FirstName, LastName = invitee.LastName, TextReminderNumber = invitee.TextReminderNumber,
        QuestionsAndAnswers = invitee.QuestionsAndAnswers, Tracking = invitee.Tracking,
    };
}

/// <summary>New scheduled events and invitees, shaped the same whether the seed, a booking or a reschedule makes them.</summary>
public static class EventFactory
{
    public static ScheduledEvent AddEvent(SimulatedWorld world, string uuid, EventType type, DateTimeOffset start, DateTimeOffset at,
        EventLocation? location = null)
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
            Location = location ?? type.Location,
            BufferBefore = type.BufferBefore,
            BufferAfter = type.BufferAfter,
            CreatedAt = at,
            UpdatedAt = at,
        };
        world.Add(scheduled);
        return scheduled;
    }

    /// <summary>The event's location once this invitee has answered it (only kinds that ask the invitee take their answer).</summary>
    public static EventLocation LocationFor(EventType type, InviteeDetails details) =>
        type.Location.AsksInvitee ? type.Location with { Location = details.LocationValue } : type.Location;

    public static Invitee AddInvitee(SimulatedWorld world, string uuid, ScheduledEvent scheduled, InviteeDetails details, string timezone,
        DateTimeOffset at, string? oldInviteeUuid = null)
    {
        var invitee = new Invitee
        {
            Uuid = uuid,
            EventUuid = scheduled.Uuid,
            Name = details.Name,
            FirstName = details.FirstName,
            LastName = details.LastName,
            Email = details.Email,
            Timezone = timezone,
            CreatedAt = at,
            UpdatedAt = at,
            Tracking = details.Tracking,
            QuestionsAndAnswers = details.QuestionsAndAnswers,
            TextReminderNumber = details.TextReminderNumber,
            SchedulingMethod = details.SchedulingMethod,
            ScheduledByUuid = details.ScheduledByUuid,
            OldInviteeUuid = oldInviteeUuid,
        };
        world.Add(invitee);
        scheduled.Guests.AddRange(details.Guests.Select(email => new EventGuest(email, at)));
        scheduled.UpdatedAt = at;
        return invitee;
    }
}
