using Microsoft.AspNetCore.Mvc;
using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.OAuth;
using Calendly.Simulator.Resources;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Api;

/// <summary>/scheduled_events/{uuid}/invitees and /scheduled_events/{uuid}/invitees/{invitee_uuid}.</summary>
public static class InviteesApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/scheduled_events/{uuid}/invitees", List).RequiresScope(Scopes.ScheduledEventsRead);
        api.MapGet("/scheduled_events/{uuid}/invitees/{invitee_uuid}", Get).RequiresScope(Scopes.ScheduledEventsRead);
    }

    private static IResult Get(string uuid, [FromRoute(Name = "invitee_uuid")] string inviteeUuid, Caller caller, WorldStore world, ResourceUris uris) => world.Locked(w =>
        !w.Events.TryGetValue(uuid, out var scheduled) || !w.Invitees.TryGetValue(inviteeUuid, out var invitee) || invitee.EventUuid != uuid
            ? CalendlyErrors.NotFound()
            : !ScheduledEventsApi.CanView(caller, scheduled, w) ? CalendlyErrors.PermissionDenied(ScheduledEventsApi.NotAllowedToView)
            : CalendlyResults.Resource(InviteeResource.From(invitee, w, uris)));

    private static IResult List(string uuid, HttpRequest request, Caller caller, WorldStore world, ResourceUris uris)
    {
        var query = new QueryReader(request);
        var status = Filters.Status(query);
        var email = query.Text("email");
        var sort = query.Sort("created_at:asc", "created_at");
        var page = Paging.Read(query);
        if (query.HasErrors) return query.Failure;

        return world.Locked(w =>
        {
            if (!w.Events.TryGetValue(uuid, out var scheduled)) return CalendlyErrors.NotFound();
            if (!ScheduledEventsApi.CanView(caller, scheduled, w)) return CalendlyErrors.PermissionDenied(ScheduledEventsApi.NotAllowedToView);
            var invitees = w.InviteesOf(uuid)
                .Where(i => status is null || i.Status == status)
                .Where(i => email is null || string.Equals(i.Email, email, StringComparison.OrdinalIgnoreCase));
            var sorted = Filters.SortBy(invitees, sort, (i, _) => i.CreatedAt, i => i.Uuid)
                .Select(i => InviteeResource.From(i, w, uris)).ToList();
            return Paging.Result(page, request, uris, sorted);
        });
    }
}
