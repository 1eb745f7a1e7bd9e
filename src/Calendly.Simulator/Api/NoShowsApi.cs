using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.OAuth;
using Calendly.Simulator.Resources;
using Calendly.Simulator.Webhooks;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Api;

/// <summary>POST /invitee_no_shows marks an invitee as a no-show; GET and DELETE /invitee_no_shows/{uuid}.</summary>
public static class NoShowsApi
{
    public sealed record NoShowRequest(string? Invitee);

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPost("/invitee_no_shows", CreateAsync).RequiresScope(Scopes.ScheduledEventsWrite);
        api.MapGet("/invitee_no_shows/{uuid}", Get).RequiresScope(Scopes.ScheduledEventsRead);
        api.MapDelete("/invitee_no_shows/{uuid}", Delete).RequiresScope(Scopes.ScheduledEventsWrite);
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, Caller caller, WorldStore world, WebhookPublisher webhooks,
        TimeProvider clock, ResourceUris uris)
    {
        var (body, error) = await RequestBody.ReadAsync<NoShowRequest>(request, CalendlyJson.Options, request.HttpContext.RequestAborted);
        if (error is not null) return error;
        if (body?.Invitee is null) return CalendlyErrors.InvalidArgument("invitee", "is required");
        if (ResourceUris.InviteeUuidsOf(body.Invitee) is not { } ids) return CalendlyErrors.InvalidArgument("invitee", "must be a valid URI");

        return world.Locked(w =>
        {
            if (!w.Invitees.TryGetValue(ids.InviteeUuid, out var invitee) || invitee.EventUuid != ids.EventUuid) return CalendlyErrors.NotFound();
            if (!ScheduledEventsApi.CanView(caller, w.Events[invitee.EventUuid], w)) return CalendlyErrors.PermissionDenied();
            if (invitee.NoShow is not null) return CalendlyErrors.AlreadyExists("The invitee is already marked as a no-show");
            var now = clock.GetUtcNow();
            invitee.NoShow = new NoShow(IdSource.Random.For("no-show"), invitee.Uuid, now);
            invitee.UpdatedAt = now;
            webhooks.InviteeChanged(w, WebhookEvents.NoShowCreated, invitee);
            return CalendlyResults.Resource(NoShowResource.From(invitee.NoShow, invitee, uris), StatusCodes.Status201Created);
        });
    }

    private static IResult Get(string uuid, Caller caller, WorldStore world, ResourceUris uris) => world.Locked(w =>
        w.InviteeByNoShow(uuid) is not { } invitee ? CalendlyErrors.NotFound()
        : !ScheduledEventsApi.CanView(caller, w.Events[invitee.EventUuid], w) ? CalendlyErrors.PermissionDenied()
        : CalendlyResults.Resource(NoShowResource.From(invitee.NoShow!, invitee, uris)));

    private static IResult Delete(string uuid, Caller caller, WorldStore world, WebhookPublisher webhooks, TimeProvider clock) =>
        world.Locked(w =>
        {
            if (w.InviteeByNoShow(uuid) is not { } invitee) return CalendlyErrors.NotFound();
            if (!ScheduledEventsApi.CanView(caller, w.Events[invitee.EventUuid], w)) return CalendlyErrors.PermissionDenied();
            invitee.NoShow = null;
            invitee.UpdatedAt = clock.GetUtcNow();
            webhooks.InviteeChanged(w, WebhookEvents.NoShowDeleted, invitee);
            return Results.NoContent();
        });
}
