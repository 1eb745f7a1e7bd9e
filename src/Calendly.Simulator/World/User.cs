namespace Calendly.Simulator.World;

/// <summary>A Calendly account. Its plan decides rate limits and whether it may create webhook subscriptions.</summary>
public sealed record User(
    string Uuid,
    string Name,
    string Slug,
    string Email,
    string Timezone,
    string OrganizationUuid,
    Plan Plan,
    DateTimeOffset CreatedAt);
