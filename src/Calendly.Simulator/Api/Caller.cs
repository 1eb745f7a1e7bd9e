using Calendly.Simulator.OAuth;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Api;

/// <summary>The user behind the bearer token of an API request. Handlers take it as a parameter.</summary>
public sealed record Caller(User User, Membership Membership, AccessToken Token)
{
    public string OrganizationUuid => Membership.OrganizationUuid;

    public bool IsAdmin => Membership.IsAdmin;

    public static ValueTask<Caller?> BindAsync(HttpContext context) => ValueTask.FromResult(Of(context));

    public static Caller? Of(HttpContext context) => context.Items[typeof(Caller)] as Caller;

    /// <summary>An admin sees everyone in the organization; a member only themselves.</summary>
    public bool CanActFor(User other) => other.Uuid == User.Uuid || (IsAdmin && other.OrganizationUuid == OrganizationUuid);

    public bool SharesOrganizationWith(User other) => other.OrganizationUuid == OrganizationUuid;
}

/// <summary>Endpoint metadata: which gate a route sits behind.</summary>
public sealed record EndpointKind(bool NeedsBearerToken)
{
    public static readonly EndpointKind Api = new(true);
    public static readonly EndpointKind OAuth = new(false);

    public static EndpointKind? Of(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<EndpointKind>();
}
