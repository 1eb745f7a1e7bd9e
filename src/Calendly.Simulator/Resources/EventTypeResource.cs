using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Resources;

public sealed record EventTypeProfile(string Type, string Name, string Owner);

public sealed record CustomQuestion(string Name, string Type, int Position, bool Enabled, bool Required,
    IReadOnlyList<string> AnswerChoices, bool IncludeOther);

public sealed record EventTypeLocation(string Kind);

public sealed record EventTypeResource(
    string Uri, string Name, bool Active, string BookingMethod, string Slug, string SchedulingUrl, int Duration,
    IReadOnlyList<int>? DurationOptions, EventKind Kind, string? PoolingType, string Type, string Color, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt, string? InternalNote, string DescriptionPlain, string DescriptionHtml, EventTypeProfile Profile,
    bool Secret, DateTimeOffset? DeletedAt, bool AdminManaged, string KindDescription, int Position,
    IReadOnlyList<EventTypeLocation> Locations, IReadOnlyList<CustomQuestion> CustomQuestions)
{
    private static readonly IReadOnlyList<CustomQuestion> DefaultQuestions =
        [new("Please share anything that will help prepare for our meeting.", "text", 0, true, false, [], false)];

    public static EventTypeResource From(EventType type, User owner, ResourceUris uris) => new(
        uris.EventType(type.Uuid), type.Name, type.Active, "instant", type.Slug, uris.SchedulingPage(owner.Slug, type.Slug),
        type.DurationMinutes, null, type.Kind, null, "StandardEventType", type.Color, type.CreatedAt, type.UpdatedAt ?? type.CreatedAt, null,
        type.Description, $"<p>{System.Net.WebUtility.HtmlEncode(type.Description)}</p>",
        new EventTypeProfile("User", owner.Name, uris.User(owner.Uuid)), false, type.DeletedAt, false,
        type.Kind == EventKind.Group ? "Group" : "One-on-One", type.Position,
        // Event types name Zoom "zoom_conference"; scheduled events call the same location "zoom" (seen in real payloads).
        [new(type.LocationKind == "zoom" ? "zoom_conference" : type.LocationKind)], DefaultQuestions);
}
