using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Resources;

public sealed record UserResource(string Uri, string Name, string Slug, string Email, string SchedulingUrl, string Timezone,
    string? AvatarUrl, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string CurrentOrganization, string ResourceType,
    string Locale)
{
    public static UserResource From(User user, ResourceUris uris) => new(uris.User(user.Uuid), user.Name, user.Slug, user.Email,
        uris.SchedulingPage(user.Slug), user.Timezone, null, user.CreatedAt, user.CreatedAt, uris.Organization(user.OrganizationUuid),
        "User", "en");
}

public sealed record MembershipResource(string Uri, MembershipRole Role, UserResource User, string Organization,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static MembershipResource From(Membership membership, User user, ResourceUris uris) => new(uris.Membership(membership.Uuid),
        membership.Role, UserResource.From(user, uris), uris.Organization(membership.OrganizationUuid), membership.CreatedAt,
        membership.CreatedAt);
}
