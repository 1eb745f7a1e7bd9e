using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.OAuth;
using Calendly.Simulator.Resources;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Api;

/// <summary>/users/me, /users/{uuid} and /organization_memberships.</summary>
public static class UsersApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/users/me", (Caller caller, ResourceUris uris) => CalendlyResults.Resource(UserResource.From(caller.User, uris)))
            .RequiresScope(Scopes.UsersRead);
        api.MapGet("/users/{uuid}", GetUser).RequiresScope(Scopes.UsersRead);
        api.MapGet("/organization_memberships", ListMemberships).RequiresScope(Scopes.OrganizationsRead);
        api.MapGet("/organization_memberships/{uuid}", GetMembership).RequiresScope(Scopes.OrganizationsRead);
    }

    private static IResult GetUser(string uuid, Caller caller, WorldStore world, ResourceUris uris) => world.Locked(w =>
        !w.Users.TryGetValue(uuid, out var user) ? CalendlyErrors.NotFound()
        : !caller.SharesOrganizationWith(user) ? CalendlyErrors.PermissionDenied()
        : CalendlyResults.Resource(UserResource.From(user, uris)));

    private static IResult GetMembership(string uuid, Caller caller, WorldStore world, ResourceUris uris) => world.Locked(w =>
        !w.Memberships.TryGetValue(uuid, out var membership) ? CalendlyErrors.NotFound()
        : membership.OrganizationUuid != caller.OrganizationUuid ? CalendlyErrors.PermissionDenied()
        : CalendlyResults.Resource(MembershipResource.From(membership, w.Users[membership.UserUuid], uris)));

    /// <summary>Filter by user (use user=&lt;me&gt; to find one's organization), by organization, and by email.</summary>
    private static IResult ListMemberships(HttpRequest request, Caller caller, WorldStore world, ResourceUris uris)
    {
        var query = new QueryReader(request);
        var owner = Filters.Owner(query);
        var email = query.Text("email");
        var page = Paging.Read(query);
        if (query.HasErrors) return query.Failure;

        return world.Locked(w =>
        {
            if (owner.Refusal(caller, w) is { } refusal) return refusal;
            var memberships = w.Memberships.Values
                .Where(m => m.OrganizationUuid == caller.OrganizationUuid)
                .Where(m => owner.UserUuid is null || m.UserUuid == owner.UserUuid)
                .Where(m => email is null || string.Equals(w.Users[m.UserUuid].Email, email, StringComparison.OrdinalIgnoreCase))
                .OrderBy(m => m.CreatedAt).ThenBy(m => m.Uuid, StringComparer.Ordinal)
                .Select(m => MembershipResource.From(m, w.Users[m.UserUuid], uris))
                .ToList();
            return Paging.Result(page, request, uris, memberships);
        });
    }
}
