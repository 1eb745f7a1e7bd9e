namespace Calendly.Simulator.World;

public enum EventStatus { Active, Canceled }

public enum CancelerType { Host, Invitee }

public sealed record EventGuest(string Email, DateTimeOffset CreatedAt);

public sealed record Cancellation(string CanceledBy, string? Reason, CancelerType CancelerType, DateTimeOffset CreatedAt);

/// <summary>A booked meeting. Group events collect invitees until the event type's capacity is reached.</summary>
public sealed class ScheduledEvent
{
    public required string Uuid { get; init; }
    public required string EventTypeUuid { get; init; }
    public required string HostUuid { get; init; }
    public required string Name { get; init; }
    public required DateTimeOffset Start { get; init; }
    public required DateTimeOffset End { get; init; }
    public required int Capacity { get; init; }
    public required EventLocation Location { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
    public EventStatus Status { get; set; } = EventStatus.Active;
    public Cancellation? Cancellation { get; set; }
    public TimeSpan BufferBefore { get; init; }
    public TimeSpan BufferAfter { get; init; }

    /// <summary>People the invitees invited along (event_guests), across all invitees of a group event.</summary>
    public List<EventGuest> Guests { get; } = [];

    public void Cancel(Cancellation cancellation)
    {
        Status = EventStatus.Canceled;
        Cancellation = cancellation;
        UpdatedAt = cancellation.CreatedAt;
    }
}
