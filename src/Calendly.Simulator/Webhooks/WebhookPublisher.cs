using System.Text.Json;
using System.Text.Json.Nodes;
using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.OAuth;
using Calendly.Simulator.Resources;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Webhooks;

/// <summary>Calendly's delivery envelope; created_by is the URI of the subscription's creator.</summary>
public sealed record WebhookEnvelope(string Event, DateTimeOffset CreatedAt, string CreatedBy, JsonObject Payload);

/// <summary>
/// Turns a change into one delivery per matching active subscription: a user-scoped subscription of the user the change
/// concerns (the host of a booking, the owner of an event type), or an organization-scoped one of that user's
/// organization, that lists the event. Called under the world lock, right after the change, so the payload shows the
/// state the change left behind.
/// </summary>
public sealed class WebhookPublisher(DeliveryQueue queue, ResourceUris uris, TimeProvider clock, SimulatorSettings settings,
    OAuthClients clients)
{
    public void InviteeChanged(SimulatedWorld world, string eventName, Invitee invitee) =>
        Publish(world, eventName, world.Users[world.Events[invitee.EventUuid].HostUuid], () => InviteeResource.WebhookPayload(invitee, world, uris));

    public void EventTypeChanged(SimulatedWorld world, string eventName, EventType type)
    {
        var owner = world.Users[type.OwnerUuid];
        Publish(world, eventName, owner, () => EventTypePayload(type, owner, uris));
    }

    /// <summary>The payload of event_type.created, .updated and .deleted: the event type as GET /event_types/{uuid} shows it.</summary>
    public static JsonObject EventTypePayload(EventType type, User owner, ResourceUris uris) =>
        JsonSerializer.SerializeToNode(EventTypeResource.From(type, owner, uris), CalendlyJson.Options)!.AsObject();

    private void Publish(SimulatedWorld world, string eventName, User subject, Func<JsonObject> payloadOf)
    {
        var subscriptions = world.WebhookSubscriptions.Values.Where(s => s.State == WebhookState.Active && s.Events.Contains(eventName)
            && (s.Scope == WebhookScope.Organization && s.OrganizationUuid == subject.OrganizationUuid
                || s.Scope == WebhookScope.User && s.UserUuid == subject.Uuid)).ToList();
        if (subscriptions.Count == 0) return;

        var payload = payloadOf();
        var now = clock.GetUtcNow();
        foreach (var subscription in subscriptions)
        {
            var envelope = new WebhookEnvelope(eventName, now, uris.User(subscription.CreatorUuid), payload);
            queue.Enqueue(new WebhookDelivery(subscription.Uuid, subscription.CallbackUrl,
                JsonSerializer.SerializeToUtf8Bytes(envelope, CalendlyJson.Options), SigningKeyOf(subscription)));
        }
    }

    /// <summary>The subscription's own key if it was created with one, else the key of the OAuth application that created it.</summary>
    private string SigningKeyOf(WebhookSubscription subscription) =>
        subscription.SigningKey
        ?? clients.Find(subscription.ClientId)?.WebhookSigningKey
        ?? settings.WebhookSigningKey;
}
