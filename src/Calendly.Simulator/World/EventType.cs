namespace Calendly.Simulator.World;

public enum EventKind { Solo, Group }

/// <summary>A bookable meeting kind. Capacity is 1 for one-on-one, the seat count for group events.</summary>
public sealed record EventType(
    string Uuid,
    string OwnerUuid,
    string Name,
    string Slug,
    int DurationMinutes,
    EventKind Kind,
    int Capacity,
    bool Active,
    string Color,
    string Description,
    string LocationKind,
    int Position,
    DateTimeOffset CreatedAt)
{
    public TimeSpan Duration => TimeSpan.FromMinutes(DurationMinutes);
    public TimeSpan BufferBefore { get; init; }
    public TimeSpan BufferAfter { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>Deleted event types stay readable by URI (their scheduled events refer to them) but are listed and booked no more.</summary>
    public DateTimeOffset? DeletedAt { get; init; }
}
