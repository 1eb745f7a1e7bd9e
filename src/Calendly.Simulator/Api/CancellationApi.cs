using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.OAuth;
using Calendly.Simulator.Resources;
using Calendly.Simulator.Scheduling;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Api;

/// <summary>POST /scheduled_events/{uuid}/cancellation: the host (or an admin) cancels the whole event.</summary>
public static class CancellationApi
{
    public const int MaxReasonLength = 10_000;

    public sealed record CancellationRequest(string? Reason);

    public static void Map(IEndpointRouteBuilder api) =>
        api.MapPost("/scheduled_events/{uuid}/cancellation", CancelAsync).RequiresScope(Scopes.ScheduledEventsWrite);

    private static async Task<IResult> CancelAsync(string uuid, HttpRequest request, Caller caller, WorldStore world, Bookings bookings,
        TimeProvider clock)
    {
        var (body, error) = await RequestBody.ReadAsync<CancellationRequest>(request, CalendlyJson.Options, request.HttpContext.RequestAborted);
        if (error is not null) return error;
        if (body?.Reason is { Length: > MaxReasonLength })
            return CalendlyErrors.InvalidArgument("reason", $"must be at most {MaxReasonLength} characters");

        return world.Locked(w =>
        {
            if (!w.Events.TryGetValue(uuid, out var scheduled)) return CalendlyErrors.NotFound();
            if (!caller.CanActFor(w.Users[scheduled.HostUuid])) return CalendlyErrors.PermissionDenied("You are not allowed to cancel this event");
            if (scheduled.Status == EventStatus.Canceled) return CalendlyErrors.PermissionDenied("Event is already canceled");
            var now = clock.GetUtcNow();
            if (scheduled.Start <= now) return CalendlyErrors.PermissionDenied("Event in the past");
            var cancellation = new Cancellation(caller.User.Name, body?.Reason, CancelerType.Host, now);
            bookings.CancelEvent(w, scheduled, cancellation);
            return CalendlyResults.Resource(CancellationResource.From(cancellation), StatusCodes.Status201Created);
        });
    }
}
