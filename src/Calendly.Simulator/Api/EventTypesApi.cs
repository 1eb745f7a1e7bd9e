using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.Resources;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Api;

/// <summary>/event_types (by user or organization) and /event_types/{uuid}.</summary>
public static class EventTypesApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/event_types", List);
        api.MapGet("/event_types/{uuid}", Get);
    }

    private static IResult Get(string uuid, Caller caller, WorldStore world, ResourceUris uris) => world.Locked(w =>
    {
        if (!w.EventTypes.TryGetValue(uuid, out var type)) return CalendlyErrors.NotFound();
        var owner = w.Users[type.OwnerUuid];
        return caller.SharesOrganizationWith(owner)
            ? CalendlyResults.Resource(EventTypeResource.From(type, owner, uris))
            : CalendlyErrors.PermissionDenied();
    });

    private static IResult List(HttpRequest request, Caller caller, WorldStore world, ResourceUris uris)
    {
        var query = new QueryReader(request);
        var userUuid = query.ResourceUuid("user", "users");
        var organizationUuid = query.ResourceUuid("organization", "organizations");
        if (query.Text("user") is null && query.Text("organization") is null) Filters.RequireOneOf(query, "organization", "user");
        var active = query.Bool("active");
        var adminManaged = query.Bool("admin_managed");
        var sort = query.Sort("name:asc", "name", "position", "created_at", "updated_at");
        var page = Paging.Read(query);
        if (query.HasErrors) return query.Failure;

        return world.Locked(w =>
        {
            if (organizationUuid is not null && organizationUuid != caller.OrganizationUuid) return CalendlyErrors.PermissionDenied();
            if (userUuid is not null)
            {
                if (!w.Users.TryGetValue(userUuid, out var user)) return CalendlyErrors.NotFound();
                if (!caller.SharesOrganizationWith(user)) return CalendlyErrors.PermissionDenied(CalendlyErrors.NotInYourOrganization);
            }
            var types = w.EventTypes.Values
                .Where(t => w.Users[t.OwnerUuid].OrganizationUuid == caller.OrganizationUuid)
                .Where(t => userUuid is null || t.OwnerUuid == userUuid)
                .Where(t => active is null || t.Active == active)
                .Where(t => adminManaged is not true); // no event type here is admin-managed
            var sorted = Filters.SortBy(types, sort, SortKey, t => t.Uuid)
                .Select(t => EventTypeResource.From(t, w.Users[t.OwnerUuid], uris)).ToList();
            return Paging.Result(page, request, uris, sorted);
        });
    }

    private static IComparable SortKey(EventType type, string field) => field switch
    {
        "name" => type.Name,
        "position" => type.Position,
        _ => type.CreatedAt, // created_at and updated_at: event types are never edited here
    };
}
