using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.OAuth;
using Calendly.Simulator.Resources;
using Calendly.Simulator.Scheduling;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Api;

/// <summary>/event_type_available_times, /user_availability_schedules (+ /{uuid}) and /user_busy_times: unpaginated collections.</summary>
public static class AvailabilityApi
{
    private const int BusyTimesMaxDays = 7;

    public static void Map(IEndpointRouteBuilder api)
    {
        // Calendly's scopes page says event_types:read, its spec availability:read; either will do.
        api.MapGet("/event_type_available_times", AvailableTimes).RequiresScope(Scopes.EventTypesRead, Scopes.AvailabilityRead);
        api.MapGet("/user_availability_schedules", Schedules).RequiresScope(Scopes.AvailabilityRead);
        api.MapGet("/user_availability_schedules/{uuid}", Schedule).RequiresScope(Scopes.AvailabilityRead);
        api.MapGet("/user_busy_times", BusyTimesOfUser).RequiresScope(Scopes.AvailabilityRead);
    }

    private static IResult AvailableTimes(HttpRequest request, Caller caller, WorldStore world, ResourceUris uris, TimeProvider clock,
        SimulatorSettings settings)
    {
        var query = new QueryReader(request);
        var typeUuid = query.ResourceUuid("event_type", "event_types", required: true);
        var window = Window(query, clock.GetUtcNow(), settings.AvailableTimesMaxDays);
        if (query.HasErrors) return query.Failure;

        return world.Locked(w =>
        {
            if (!w.EventTypes.TryGetValue(typeUuid!, out var type) || type.DeletedAt is not null) return CalendlyErrors.NotFound();
            var owner = w.Users[type.OwnerUuid];
            if (!caller.SharesOrganizationWith(owner)) return CalendlyErrors.PermissionDenied();
            var slots = type.Active ? FreeSlots.Find(w, type, window.Start, window.End, clock.GetUtcNow()) : [];
            return CalendlyResults.Collection(slots.Where(s => s.Free).Select(s => AvailableTimeResource.From(s, type, owner, uris)));
        });
    }

    private static IResult Schedules(HttpRequest request, Caller caller, WorldStore world, ResourceUris uris)
    {
        var query = new QueryReader(request);
        var userUuid = query.ResourceUuid("user", "users", required: true);
        if (query.HasErrors) return query.Failure;
        return world.Locked(w =>
            !w.Users.TryGetValue(userUuid!, out var user) ? CalendlyErrors.NotFound()
            : UserRefusal(caller, user) is { } refusal ? refusal
            : CalendlyResults.Collection(w.Schedules.Values.Where(s => s.UserUuid == user.Uuid).Select(s => ScheduleResource.From(s, uris))));
    }

    private static IResult Schedule(string uuid, Caller caller, WorldStore world, ResourceUris uris) => world.Locked(w =>
        !w.Schedules.TryGetValue(uuid, out var schedule) ? CalendlyErrors.NotFound()
        : UserRefusal(caller, w.Users[schedule.UserUuid]) is { } refusal ? refusal
        : CalendlyResults.Resource(ScheduleResource.From(schedule, uris)));

    private static IResult BusyTimesOfUser(HttpRequest request, Caller caller, WorldStore world, ResourceUris uris, TimeProvider clock)
    {
        var query = new QueryReader(request);
        var userUuid = query.ResourceUuid("user", "users", required: true);
        var window = Window(query, clock.GetUtcNow(), BusyTimesMaxDays);
        if (query.HasErrors) return query.Failure;
        return world.Locked(w =>
            !w.Users.TryGetValue(userUuid!, out var user) ? CalendlyErrors.NotFound()
            : UserRefusal(caller, user) is { } refusal ? refusal
            : CalendlyResults.Collection(BusyTimes.Of(w, user.Uuid, window.Start, window.End).Select(b => BusyTimeResource.From(b, uris))));
    }

    /// <summary>start_time and end_time: both required, start in the future, end after start, at most maxDays apart.</summary>
    private static (DateTimeOffset Start, DateTimeOffset End) Window(QueryReader query, DateTimeOffset now, int maxDays)
    {
        var start = query.Timestamp("start_time", required: true);
        var end = query.Timestamp("end_time", required: true);
        if (start is null || end is null) return default;
        if (start < now) query.Fail("start_time", "start_time must be in the future");
        if (end <= start) query.Fail("end_time", "end_time must be after start_time");
        else if (end - start > TimeSpan.FromDays(maxDays))
            query.Fail("end_time", maxDays == 7 ? "date range can be no greater than 1 week (7 days)" : $"date range can be no greater than {maxDays} days");
        return (start.Value, end.Value);
    }

    /// <summary>Availability is private: the user themselves, or an admin of their organization.</summary>
    private static IResult? UserRefusal(Caller caller, User user) =>
        !caller.SharesOrganizationWith(user) ? CalendlyErrors.PermissionDenied(CalendlyErrors.NotInYourOrganization)
        : !caller.CanActFor(user) ? CalendlyErrors.PermissionDenied()
        : null;
}
