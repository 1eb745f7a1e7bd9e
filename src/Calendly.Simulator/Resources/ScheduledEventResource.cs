using System.Text.Json.Serialization;
using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Resources;

public sealed record InviteesCounter(int Total, int Active, int Limit);

public sealed record EventMembership(string User, string UserEmail, string UserName);

public sealed record EventGuestResource(string Email, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record CancellationResource(string CanceledBy, string? Reason, CancelerType CancelerType, DateTimeOffset CreatedAt)
{
    public static CancellationResource? From(Cancellation? c) =>
        c is null ? null : new(c.CanceledBy, c.Reason, c.CancelerType, c.CreatedAt);
}

public sealed record ScheduledEventResource(
    string Uri, string Name, string? MeetingNotesPlain, string? MeetingNotesHtml, EventStatus Status, DateTimeOffset StartTime,
    DateTimeOffset EndTime, string EventType, IReadOnlyDictionary<string, object?> Location, InviteesCounter InviteesCounter,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<EventMembership> EventMemberships,
    IReadOnlyList<EventGuestResource> EventGuests, object? CalendarEvent,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] CancellationResource? Cancellation)
{
    public static ScheduledEventResource From(ScheduledEvent e, SimulatedWorld world, ResourceUris uris)
    {
        var host = world.Users[e.HostUuid];
        var invitees = world.InviteesOf(e.Uuid).ToList();
        return new(uris.ScheduledEvent(e.Uuid), e.Name, null, null, e.Status, e.Start, e.End, uris.EventType(e.EventTypeUuid),
            LocationOf(e), new InviteesCounter(invitees.Count, invitees.Count(i => i.Status == EventStatus.Active), e.Capacity),
            e.CreatedAt, e.UpdatedAt, [new EventMembership(uris.User(host.Uuid), host.Email, host.Name)],
            [.. e.Guests.Select(g => new EventGuestResource(g.Email, g.CreatedAt, g.CreatedAt))], null,
            CancellationResource.From(e.Cancellation));
    }

    /// <summary>
    /// Calendly's location object: the keys depend on its type. Zoom is "zoom_conference" on event types but "zoom" on
    /// scheduled events (seen in real payloads); other conferences get a join URL once "pushed".
    /// </summary>
    private static Dictionary<string, object?> LocationOf(ScheduledEvent e) => e.Location.Kind switch
    {
        "physical" or "outbound_call" or "inbound_call" or "ask_invitee" or "custom" =>
            new() { ["type"] = e.Location.Kind, ["location"] = e.Location.Location },
        "zoom_conference" => new() { ["type"] = "zoom", ["status"] = "pushed", ["join_url"] = $"https://zoom.us/j/{e.Uuid[..8]}", ["data"] = null },
        "google_conference" => new()
        {
            ["type"] = "google_conference", ["status"] = "pushed", ["join_url"] = $"https://meet.google.com/{e.Uuid[..3]}-{e.Uuid[4..8]}-{e.Uuid[9..12]}",
        },
        var conference => new()
        {
            ["type"] = conference == "gotomeeting_conference" ? "gotomeeting" : conference, ["status"] = "pushed",
            ["join_url"] = $"https://meet.example.com/{conference}/{e.Uuid[..8]}",
        },
    };
}
