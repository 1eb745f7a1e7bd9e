using System.Text.RegularExpressions;
using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.Webhooks;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Control;

/// <summary>
/// What a coach does on Calendly's event type pages, as JSON: POST /_sim/event_types adds one, PATCH
/// /_sim/event_types/{uuid} renames, resizes, turns off or on, DELETE removes. Each fires event_type.created, .updated or
/// .deleted, as Calendly does.
/// </summary>
public static partial class EventTypesControl
{
    public const int MaxNameLength = 55;
    public const int MaxDurationMinutes = 720;

    public sealed record NewEventType(string? Owner, string? Name, int? DurationMinutes, int? Capacity);

    public sealed record EventTypeChange(string? Name, int? DurationMinutes, bool? Active);

    public sealed record ChangedEventType(string Uri);

    public static void Map(RouteGroupBuilder control)
    {
        control.MapPost("/event_types", CreateAsync);
        control.MapPatch("/event_types/{uuid}", ChangeAsync);
        control.MapDelete("/event_types/{uuid}", Delete);
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, WorldStore world, WebhookPublisher webhooks, ResourceUris uris,
        TimeProvider clock)
    {
        var (body, error) = await RequestBody.ReadAsync<NewEventType>(request, RequestBody.ControlJson, request.HttpContext.RequestAborted);
        if (error is not null) return error;
        var details = new List<ErrorDetail>();
        if (body?.Owner is not { Length: > 0 }) details.Add(new("owner", "is required (a user URI or uuid)"));
        if (body?.Name is null) details.Add(new("name", "is required"));
        CheckChange(body?.Name, body?.DurationMinutes, details);
        if (body?.Capacity is < 1 or > 100) details.Add(new("capacity", "must be between 1 (one-on-one) and 100"));
        if (details.Count > 0) return CalendlyErrors.InvalidArgument(details);

        return world.Locked(w =>
        {
            if (!w.Users.TryGetValue(ResourceUris.UserUuidOf(body!.Owner!), out var owner))
                return CalendlyErrors.InvalidArgument("owner", "is not a known user");
            var own = w.EventTypes.Values.Where(t => t.OwnerUuid == owner.Uuid).ToList();
            var capacity = body.Capacity ?? 1;
            var uuid = IdSource.Random.For("event-type");
            var type = new EventType(uuid, owner.Uuid, body.Name!.Trim(), $"{Slug(body.Name)}-{uuid[..6]}", body.DurationMinutes ?? 30,
                capacity > 1 ? EventKind.Group : EventKind.Solo, capacity, true, "#0069ff", $"{body.Name.Trim()} with {owner.Name}.",
                "zoom", own.Count == 0 ? 0 : own.Max(t => t.Position) + 1, clock.GetUtcNow());
            w.Add(type);
            webhooks.EventTypeChanged(w, WebhookEvents.EventTypeCreated, type);
            return Results.Json(new ChangedEventType(uris.EventType(uuid)), RequestBody.ControlJson, statusCode: 201);
        });
    }

    private static async Task<IResult> ChangeAsync(string uuid, HttpRequest request, WorldStore world, WebhookPublisher webhooks,
        ResourceUris uris, TimeProvider clock)
    {
        var (body, error) = await RequestBody.ReadAsync<EventTypeChange>(request, RequestBody.ControlJson, request.HttpContext.RequestAborted);
        if (error is not null) return error;
        var details = new List<ErrorDetail>();
        CheckChange(body?.Name, body?.DurationMinutes, details);
        if (details.Count > 0) return CalendlyErrors.InvalidArgument(details);

        return world.Locked(w =>
        {
            if (!w.EventTypes.TryGetValue(uuid, out var type) || type.DeletedAt is not null) return CalendlyErrors.NotFound();
            var changed = type with
            {
                Name = body?.Name?.Trim() ?? type.Name,
                DurationMinutes = body?.DurationMinutes ?? type.DurationMinutes,
                Active = body?.Active ?? type.Active,
                UpdatedAt = clock.GetUtcNow(),
            };
            w.EventTypes[uuid] = changed;
            webhooks.EventTypeChanged(w, WebhookEvents.EventTypeUpdated, changed);
            return Results.Json(new ChangedEventType(uris.EventType(uuid)), RequestBody.ControlJson);
        });
    }

    private static IResult Delete(string uuid, WorldStore world, WebhookPublisher webhooks, TimeProvider clock) => world.Locked(w =>
    {
        if (!w.EventTypes.TryGetValue(uuid, out var type) || type.DeletedAt is not null) return CalendlyErrors.NotFound();
        var now = clock.GetUtcNow();
        var deleted = type with { Active = false, DeletedAt = now, UpdatedAt = now };
        w.EventTypes[uuid] = deleted;
        webhooks.EventTypeChanged(w, WebhookEvents.EventTypeDeleted, deleted);
        return Results.NoContent();
    });

    private static void CheckChange(string? name, int? durationMinutes, List<ErrorDetail> details)
    {
        if (name is not null && (string.IsNullOrWhiteSpace(name) || name.Trim().Length > MaxNameLength))
            details.Add(new("name", $"must be 1 to {MaxNameLength} characters"));
        if (durationMinutes is < 1 or > MaxDurationMinutes) details.Add(new("durationMinutes", $"must be between 1 and {MaxDurationMinutes}"));
    }

    // Calendly's slugs: lower-case words joined by dashes; a uuid prefix keeps them unique per owner.
    private static string Slug(string name) => NotInSlug().Replace(name.ToLowerInvariant(), "-").Trim('-') is { Length: > 0 } slug ? slug : "event";

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NotInSlug();
}
