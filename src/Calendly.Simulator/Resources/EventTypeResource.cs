using System.Text.Json.Serialization;
using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Resources;

public sealed record EventTypeProfile(string Type, string Name, string Owner);

public sealed record CustomQuestionResource(string Name, QuestionType Type, int Position, bool Enabled, bool Required,
    IReadOnlyList<string> AnswerChoices, bool IncludeOther)
{
    public static CustomQuestionResource From(CustomQuestion q) => new(q.Name, q.Type, q.Position, q.Enabled, q.Required, q.AnswerChoices, q.IncludeOther);
}

/// <summary>
/// One of an event type's locations: kind always, then the fields of that kind (an address, the host's phone number);
/// a kind whose value the invitee gives, or a conference, has none.
/// </summary>
public sealed record EventTypeLocationResource(
    string Kind,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Location,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PhoneNumber,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AdditionalInfo)
{
    public static EventTypeLocationResource From(EventLocation location) => location.Kind switch
    {
        "physical" or "custom" => new(location.Kind, location.Location, null, null),
        "inbound_call" => new(location.Kind, null, location.Location, null),
        _ => new(location.Kind, null, null, null),
    };
}

public sealed record EventTypeResource(
    string Uri, string Name, bool Active, string BookingMethod, string Slug, string SchedulingUrl, int Duration,
    IReadOnlyList<int>? DurationOptions, EventKind Kind, string? PoolingType, string Type, string Color, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt, string? InternalNote, string DescriptionPlain, string DescriptionHtml, EventTypeProfile Profile,
    bool Secret, DateTimeOffset? DeletedAt, bool AdminManaged, string KindDescription, int Position, bool IsPaid, string Locale,
    int StartTimeIncrement, int BeforeBuffer, int AfterBuffer, IReadOnlyList<EventTypeLocationResource> Locations,
    IReadOnlyList<CustomQuestionResource> CustomQuestions)
{
    public static EventTypeResource From(EventType type, User owner, ResourceUris uris) => new(
        uris.EventType(type.Uuid), type.Name, type.Active, "instant", type.Slug, uris.SchedulingPage(owner.Slug, type.Slug),
        type.DurationMinutes, null, type.Kind, null, "StandardEventType", type.Color, type.CreatedAt, type.UpdatedAt ?? type.CreatedAt, null,
        type.Description, $"<p>{System.Net.WebUtility.HtmlEncode(type.Description)}</p>",
        new EventTypeProfile("User", owner.Name, uris.User(owner.Uuid)), false, type.DeletedAt, false,
        type.Kind == EventKind.Group ? "Group" : "One-on-One", type.Position, false, type.Locale, type.StartTimeIncrementMinutes,
        (int)type.BufferBefore.TotalMinutes, (int)type.BufferAfter.TotalMinutes, [EventTypeLocationResource.From(type.Location)],
        [.. type.CustomQuestions.OrderBy(q => q.Position).Select(CustomQuestionResource.From)]);
}
