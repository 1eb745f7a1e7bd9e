namespace Calendly.Simulator.World;

public enum WebhookScope { Organization, User, Group }

public enum WebhookState { Active, Disabled }

public static class WebhookScopes
{
    /// <summary>Calendly's lower-case scope names only.</summary>
    public static WebhookScope? Parse(string? text) => text switch
    {
        "organization" => WebhookScope.Organization,
        "user" => WebhookScope.User,
        "group" => WebhookScope.Group,
        _ => null,
    };
}

/// <summary>
/// Where Calendly POSTs events. SigningKey is the key given at creation (never shown again); without one, deliveries are
/// signed with the key of the OAuth application whose token created the subscription.
/// </summary>
public sealed class WebhookSubscription
{
    public required string Uuid { get; init; }
    public required string CallbackUrl { get; init; }
    public required IReadOnlyList<string> Events { get; init; }
    public required WebhookScope Scope { get; init; }
    public required string OrganizationUuid { get; init; }
    public string? UserUuid { get; init; }
    public string? GroupUuid { get; init; }
    public required string CreatorUuid { get; init; }
    public required string ClientId { get; init; }
    public string? SigningKey { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
    public WebhookState State { get; set; } = WebhookState.Active;
    public DateTimeOffset? RetryStartedAt { get; set; }
}
