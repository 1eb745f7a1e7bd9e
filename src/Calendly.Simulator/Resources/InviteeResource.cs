using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Resources;

public sealed record NoShowResource(string Uri, string Invitee, DateTimeOffset CreatedAt)
{
    public static NoShowResource From(NoShow noShow, Invitee invitee, ResourceUris uris) =>
        new(uris.NoShow(noShow.Uuid), uris.Invitee(invitee.EventUuid, invitee.Uuid), noShow.CreatedAt);
}

public sealed record InviteeNoShow(string Uri, DateTimeOffset CreatedAt);

public sealed record InviteeResource(
    string Uri, string Email, string Name, string? FirstName, string? LastName, EventStatus Status, string Timezone, string Event,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<QuestionAndAnswer> QuestionsAndAnswers, Tracking Tracking,
    string? TextReminderNumber, bool Rescheduled, string? OldInvitee, string? NewInvitee, string CancelUrl, string RescheduleUrl,
    string? RoutingFormSubmission, object? Payment, InviteeNoShow? NoShow, object? Reconfirmation, string? SchedulingMethod,
    string? InviteeScheduledBy,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] CancellationResource? Cancellation)
{
    public static InviteeResource From(Invitee i, SimulatedWorld world, ResourceUris uris) => new(
        uris.Invitee(i.EventUuid, i.Uuid), i.Email, i.Name, i.FirstName, i.LastName, i.Status, i.Timezone, uris.ScheduledEvent(i.EventUuid),
        i.CreatedAt, i.UpdatedAt, i.QuestionsAndAnswers, i.Tracking, i.TextReminderNumber, i.Rescheduled, InviteeUri(i.OldInviteeUuid, world, uris),
        InviteeUri(i.NewInviteeUuid, world, uris), uris.CancelPage(i.Uuid), uris.ReschedulePage(i.Uuid), null, null,
        i.NoShow is { } n ? new InviteeNoShow(uris.NoShow(n.Uuid), n.CreatedAt) : null, null, i.SchedulingMethod,
        i.ScheduledByUuid is null ? null : uris.User(i.ScheduledByUuid), CancellationResource.From(i.Cancellation));

    /// <summary>The payload of invitee.* and invitee_no_show.* webhooks: the invitee plus its full scheduled event.</summary>
    public static JsonObject WebhookPayload(Invitee invitee, SimulatedWorld world, ResourceUris uris)
    {
        var payload = JsonSerializer.SerializeToNode(From(invitee, world, uris), CalendlyJson.Options)!.AsObject();
        payload["scheduled_event"] = JsonSerializer.SerializeToNode(
            ScheduledEventResource.From(world.Events[invitee.EventUuid], world, uris), CalendlyJson.Options);
        return payload;
    }

    // The old or new invitee of a reschedule sits on another event, so its URI needs that event's uuid.
    private static string? InviteeUri(string? uuid, SimulatedWorld world, ResourceUris uris) =>
        uuid is not null && world.Invitees.TryGetValue(uuid, out var other) ? uris.Invitee(other.EventUuid, other.Uuid) : null;
}
