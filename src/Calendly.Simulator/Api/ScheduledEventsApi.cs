using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.OAuth;
using Calendly.Simulator.Resources;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Api;

/// <summary>/scheduled_events and /scheduled_events/{uuid}, with Calendly's rules on whose events a caller may list.</summary>
public static class ScheduledEventsApi
{
    public const string NotAllowedToView = "You are not allowed to view this event";

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/scheduled_events", List).RequiresScope(Scopes.ScheduledEventsRead);
        api.MapGet("/scheduled_events/{uuid}", Get).RequiresScope(Scopes.ScheduledEventsRead);
    }

    /// <summary>The host, or an admin of the host's organization.</summary>
    public static bool CanView(Caller caller, ScheduledEvent scheduled, SimulatedWorld world) =>
        caller.CanActFor(world.Users[scheduled.HostUuid]);

    private static IResult Get(string uuid, Caller caller, WorldStore world, ResourceUris uris) => world.Locked(w =>
        !w.Events.TryGetValue(uuid, out var scheduled) ? CalendlyErrors.NotFound()
        : !CanView(caller, scheduled, w) ? CalendlyErrors.PermissionDenied(NotAllowedToView)
        : CalendlyResults.Resource(ScheduledEventResource.From(scheduled, w, uris)));

    private static IResult List(HttpRequest request, Caller caller, WorldStore world, ResourceUris uris)
    {
        var query = new QueryReader(request);
        var userUuid = query.ResourceUuid("user", "users");
        var organizationUuid = query.ResourceUuid("organization", "organizations");
        var groupUuid = query.ResourceUuid("group", "groups");
        if (query.Text("user") is null && query.Text("organization") is null && query.Text("group") is null)
            Filters.RequireOneOf(query, "organization", "group", "user");
        var status = Filters.Status(query);
        var inviteeEmail = query.Text("invitee_email");
        var minStart = query.Timestamp("min_start_time");
        var maxStart = query.Timestamp("max_start_time");
        var sort = query.Sort("start_time:asc", "start_time"); // Calendly does not document its default; clients should send one
        var page = Paging.Read(query);
        if (query.HasErrors) return query.Failure;

        return world.Locked(w =>
        {
            if (Refusal(caller, userUuid, organizationUuid, w) is { } refusal) return refusal;
            var events = w.Events.Values
                .Where(e => groupUuid is null) // groups are not simulated: a group filter matches nothing
                .Where(e => userUuid is null || e.HostUuid == userUuid)
                .Where(e => organizationUuid is null || w.Users[e.HostUuid].OrganizationUuid == organizationUuid)
                .Where(e => status is null || e.Status == status)
                .Where(e => minStart is null || e.Start >= minStart)
                .Where(e => maxStart is null || e.Start < maxStart)
                .Where(e => inviteeEmail is null ||
                            w.InviteesOf(e.Uuid).Any(i => string.Equals(i.Email, inviteeEmail, StringComparison.OrdinalIgnoreCase)));
            var sorted = Filters.SortBy(events, sort, (e, _) => e.Start, e => e.Uuid)
                .Select(e => ScheduledEventResource.From(e, w, uris)).ToList();
            return Paging.Result(page, request, uris, sorted);
        });
    }

    /// <summary>
    /// user alone lists the caller's own events; another user's events need organization too and an admin caller;
    /// organization alone needs an admin. Each refusal carries Calendly's own message.
    /// </summary>
    private static IResult? Refusal(Caller caller, string? userUuid, string? organizationUuid, SimulatedWorld world)
    {
        if (organizationUuid is not null && organizationUuid != caller.OrganizationUuid) return CalendlyErrors.PermissionDenied();
        if (userUuid is not null && userUuid != caller.User.Uuid)
        {
            if (!world.Users.TryGetValue(userUuid, out var user)) return CalendlyErrors.NotFound();
            if (!caller.SharesOrganizationWith(user)) return CalendlyErrors.PermissionDenied(CalendlyErrors.NotInYourOrganization);
            if (organizationUuid is null)
                return CalendlyErrors.PermissionDenied("Please also specify organization when requesting events for a user within your organization.");
            if (!caller.IsAdmin) return CalendlyErrors.PermissionDenied();
        }
        if (userUuid is null && organizationUuid is not null && !caller.IsAdmin) return CalendlyErrors.PermissionDenied();
        return null;
    }
}
