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
    EventLocation Location,
    int Position,
    DateTimeOffset CreatedAt)
{
    public TimeSpan Duration => TimeSpan.FromMinutes(DurationMinutes);
    public TimeSpan BufferBefore { get; init; }
    public TimeSpan BufferAfter { get; init; }

    /// <summary>Minutes between offered start times (Calendly's start_time_increment).</summary>
    public required int StartTimeIncrementMinutes { get; init; }

    public string Locale { get; init; } = "en";

    public IReadOnlyList<CustomQuestion> CustomQuestions { get; init; } = CustomQuestion.Defaults;

    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>Deleted event types stay readable by URI (their scheduled events refer to them) but are listed and booked no more.</summary>
    public DateTimeOffset? DeletedAt { get; init; }
}

/// <summary>
/// Where a meeting happens. Kinds that need the invitee's input (outbound_call: the invitee's phone; ask_invitee) get
/// their Location from the booking; the others carry the host's (an address, a phone number) or none (conferences).
/// </summary>
public sealed record EventLocation(string Kind, string? Location = null)
{
    /// <summary>Every kind POST /invitees accepts (calendly-api.md §4.10).</summary>
    public static readonly IReadOnlySet<string> Kinds = new HashSet<string>
    {
        "physical", "outbound_call", "inbound_call", "ask_invitee", "custom", "zoom_conference", "google_conference",
        "gotomeeting_conference", "microsoft_teams_conference", "webex_conference",
    };

    /// <summary>Kinds whose booking must carry a location value (§4.10).</summary>
    public static bool NeedsValue(string kind) => kind is "physical" or "outbound_call" or "ask_invitee" or "custom";

    /// <summary>Kinds whose value the invitee gives (the others' value is the host's, set on the event type).</summary>
    public bool AsksInvitee => Kind is "outbound_call" or "ask_invitee";
}

public enum QuestionType { String, Text, PhoneNumber, SingleSelect, MultiSelect }

/// <summary>A question the booking form asks; the text is what invitees' answers are matched on, exactly.</summary>
public sealed record CustomQuestion(string Name, QuestionType Type, int Position, bool Required, IReadOnlyList<string> AnswerChoices,
    bool IncludeOther = false, bool Enabled = true)
{
    public const string PrepareNotes = "Please share anything that will help prepare for our meeting.";

    /// <summary>Calendly's one question on a new event type.</summary>
    public static readonly IReadOnlyList<CustomQuestion> Defaults = [new(PrepareNotes, QuestionType.Text, 0, false, [])];
}
