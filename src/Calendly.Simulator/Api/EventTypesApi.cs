using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.OAuth;
using Calendly.Simulator.Resources;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Api;

/// <summary>/event_types (by user or organization) and /event_types/{uuid}.</summary>
public static class EventTypesApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/event_types", List).RequiresScope(Scopes.EventTypesRead);
        api.MapGet("/event_types/{uuid}", Get).RequiresScope(Scopes.EventTypesRead);
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
        var owner = Filters.Owner(query);
        var active = query.Bool("active");
        var adminManaged = query.Bool("admin_managed");
        var sort = query.Sort("name:asc", "name", "position", "created_at", "updated_at");
        var page = Paging.Read(query);
        if (query.HasErrors) return query.Failure;

        return world.Locked(w =>
        {
            if (owner.Refusal(caller, w) is { } refusal) return refusal;
            var types = w.EventTypes.Values
                .Where(t => t.DeletedAt is null && w.Users[t.OwnerUuid].OrganizationUuid == caller.OrganizationUuid)
                .Where(t => owner.UserUuid is null || t.OwnerUuid == owner.UserUuid)
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
        "updated_at" => type.UpdatedAt ?? type.CreatedAt,
        _ => type.CreatedAt,
    };
}
