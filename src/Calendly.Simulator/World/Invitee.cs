namespace Calendly.Simulator.World;

public sealed record Tracking(
    string? UtmCampaign = null,
    string? UtmSource = null,
    string? UtmMedium = null,
    string? UtmContent = null,
    string? UtmTerm = null,
    string? SalesforceUuid = null);

public sealed record NoShow(string Uuid, string InviteeUuid, DateTimeOffset CreatedAt);

public sealed record QuestionAndAnswer(string Question, string Answer, int Position);

/// <summary>A person booked into a scheduled event. Reschedules link the old and the new invitee both ways.</summary>
public sealed class Invitee
{
    public required string Uuid { get; init; }
    public required string EventUuid { get; init; }
    public required string Name { get; init; }
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
    public required string Email { get; init; }
    public required string Timezone { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public Tracking Tracking { get; init; } = new();
    public IReadOnlyList<QuestionAndAnswer> QuestionsAndAnswers { get; init; } = [];
    public string? TextReminderNumber { get; init; }

    /// <summary>"instant_book" for Scheduling API bookings; null for bookings made on the booking pages.</summary>
    public string? SchedulingMethod { get; init; }

    /// <summary>The user whose token booked through the Scheduling API.</summary>
    public string? ScheduledByUuid { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }
    public EventStatus Status { get; set; } = EventStatus.Active;
    public Cancellation? Cancellation { get; set; }
    public bool Rescheduled { get; set; }
    public string? OldInviteeUuid { get; init; }
    public string? NewInviteeUuid { get; set; }
    public NoShow? NoShow { get; set; }

    public void Cancel(Cancellation cancellation)
    {
        Status = EventStatus.Canceled;
        Cancellation = cancellation;
        UpdatedAt = cancellation.CreatedAt;
    }
}
