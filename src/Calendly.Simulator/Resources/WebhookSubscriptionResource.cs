using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Resources;

/// <summary>A subscription as Calendly shows it: never with its signing key.</summary>
public sealed record WebhookSubscriptionResource(string Uri, string CallbackUrl, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? RetryStartedAt, WebhookState State, IReadOnlyList<string> Events, WebhookScope Scope, string Organization,
    string? User, string? Group, string? Creator)
{
    public static WebhookSubscriptionResource From(WebhookSubscription s, ResourceUris uris) => new(
        uris.WebhookSubscription(s.Uuid), s.CallbackUrl, s.CreatedAt, s.UpdatedAt, s.RetryStartedAt, s.State, s.Events, s.Scope,
        uris.Organization(s.OrganizationUuid), s.UserUuid is null ? null : uris.User(s.UserUuid),
        s.GroupUuid is null ? null : uris.Group(s.GroupUuid), uris.User(s.CreatorUuid));
}
