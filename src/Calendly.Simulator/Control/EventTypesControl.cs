using System.Text.RegularExpressions;
using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.Webhooks;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Control;

/// <summary>
/// What a coach does on Calendly's event type pages, as JSON: POST /_sim/event_types adds one, PATCH
/// /_sim/event_types/{uuid} changes it (name, duration, on/off, increment, buffers, location, questions), DELETE removes.
/// Each fires event_type.created, .updated or .deleted, as Calendly does.
/// </summary>
public static partial class EventTypesControl
{
    public const int MaxNameLength = 55;
    public const int MaxDurationMinutes = 720;

    /// <summary>Calendly's allowed buffers (calendly-api.md §4.2).</summary>
    public static readonly IReadOnlySet<int> BufferMinutes = new HashSet<int> { 0, 5, 10, 15, 30, 45, 60, 90, 120, 150, 180 };

    public sealed record QuestionSpec(string? Name, string? Type, bool? Required, IReadOnlyList<string>? AnswerChoices, bool? IncludeOther);

    public sealed record LocationSpec(string? Kind, string? Location);

    /// <summary>What a coach can set on Calendly's event type page; every field but owner and name is optional.</summary>
    public sealed record EventTypeFields(string? Name, int? DurationMinutes, bool? Active, int? StartTimeIncrement, int? BeforeBuffer,
        int? AfterBuffer, LocationSpec? Location, IReadOnlyList<QuestionSpec?>? CustomQuestions);

    public sealed record NewEventType(string? Owner, string? Name, int? DurationMinutes, int? Capacity, int? StartTimeIncrement,
        int? BeforeBuffer, int? AfterBuffer, LocationSpec? Location, IReadOnlyList<QuestionSpec?>? CustomQuestions)
    {
        public EventTypeFields Fields => new(Name, DurationMinutes, null, StartTimeIncrement, BeforeBuffer, AfterBuffer, Location, CustomQuestions);
    }

    public sealed record ChangedEventType(string Uri);

    public static void Map(RouteGroupBuilder control)
    {
        control.MapPost("/event_types", CreateAsync);
        control.MapPatch("/event_types/{uuid}", ChangeAsync);
        control.MapDelete("/event_types/{uuid}", Delete);
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, WorldStore world, WebhookPublisher webhooks, ResourceUris uris,
        TimeProvider clock, SimulatorSettings settings)
    {
        var (body, error) = await RequestBody.ReadAsync<NewEventType>(request, RequestBody.ControlJson, request.HttpContext.RequestAborted);
        if (error is not null) return error;
        var details = new List<ErrorDetail>();
        if (body?.Owner is not { Length: > 0 }) details.Add(new("owner", "is required (a user URI or uuid)"));
        if (body?.Name is null) details.Add(new("name", "is required"));
        var questions = CheckChange(body?.Fields, details);
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
                LocationOf(body.Location) ?? new EventLocation("zoom_conference"), own.Count == 0 ? 0 : own.Max(t => t.Position) + 1,
                clock.GetUtcNow())
            {
                StartTimeIncrementMinutes = body.StartTimeIncrement ?? settings.SlotStepMinutes,
                BufferBefore = TimeSpan.FromMinutes(body.BeforeBuffer ?? 0),
                BufferAfter = TimeSpan.FromMinutes(body.AfterBuffer ?? 0),
                CustomQuestions = questions ?? CustomQuestion.Defaults,
            };
            w.Add(type);
            webhooks.EventTypeChanged(w, WebhookEvents.EventTypeCreated, type);
            return Results.Json(new ChangedEventType(uris.EventType(uuid)), RequestBody.ControlJson, statusCode: 201);
        });
    }

    private static async Task<IResult> ChangeAsync(string uuid, HttpRequest request, WorldStore world, WebhookPublisher webhooks,
        ResourceUris uris, TimeProvider clock)
    {
        var (body, error) = await RequestBody.ReadAsync<EventTypeFields>(request, RequestBody.ControlJson, request.HttpContext.RequestAborted);
        if (error is not null) return error;
        var details = new List<ErrorDetail>();
        var questions = CheckChange(body, details);
        if (details.Count > 0) return CalendlyErrors.InvalidArgument(details);

        return world.Locked(w =>
        {
            if (!w.EventTypes.TryGetValue(uuid, out var type) || type.DeletedAt is not null) return CalendlyErrors.NotFound();
            var changed = type with
            {
                Name = body?.Name?.Trim() ?? type.Name,
                DurationMinutes = body?.DurationMinutes ?? type.DurationMinutes,
                Active = body?.Active ?? type.Active,
                StartTimeIncrementMinutes = body?.StartTimeIncrement ?? type.StartTimeIncrementMinutes,
                BufferBefore = body?.BeforeBuffer is { } before ? TimeSpan.FromMinutes(before) : type.BufferBefore,
                BufferAfter = body?.AfterBuffer is { } after ? TimeSpan.FromMinutes(after) : type.BufferAfter,
                Location = LocationOf(body?.Location) ?? type.Location,
                CustomQuestions = questions ?? type.CustomQuestions,
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

    /// <summary>Checks the fields a create or change may carry; returns the custom questions when they were sent.</summary>
    private static IReadOnlyList<CustomQuestion>? CheckChange(EventTypeFields? fields, List<ErrorDetail> details)
    {
        if (fields is null) return null;
        if (fields.Name is not null && (string.IsNullOrWhiteSpace(fields.Name) || fields.Name.Trim().Length > MaxNameLength))
            details.Add(new("name", $"must be 1 to {MaxNameLength} characters"));
        if (fields.DurationMinutes is < 1 or > MaxDurationMinutes) details.Add(new("durationMinutes", $"must be between 1 and {MaxDurationMinutes}"));
        if (fields.StartTimeIncrement is < 5 or > MaxDurationMinutes) details.Add(new("startTimeIncrement", $"must be between 5 and {MaxDurationMinutes}"));
        foreach (var (name, minutes) in new[] { ("beforeBuffer", fields.BeforeBuffer), ("afterBuffer", fields.AfterBuffer) })
            if (minutes is { } m && !BufferMinutes.Contains(m)) details.Add(new(name, $"must be one of: {string.Join(", ", BufferMinutes)}"));
        if (fields.Location is { } location)
        {
            if (location.Kind is null || !EventLocation.Kinds.Contains(location.Kind))
                details.Add(new("location.kind", $"must be one of: {string.Join(", ", EventLocation.Kinds)}"));
            else if (location.Kind is "physical" or "custom" or "inbound_call" && string.IsNullOrWhiteSpace(location.Location))
                details.Add(new("location.location", $"is required for {location.Kind} (the host's address or phone number)"));
        }
        return fields.CustomQuestions is { } questions ? CheckQuestions(questions, details) : null;
    }

    private static IReadOnlyList<CustomQuestion> CheckQuestions(IReadOnlyList<QuestionSpec?> questions, List<ErrorDetail> details)
    {
        var checkedQuestions = new List<CustomQuestion>();
        for (var i = 0; i < questions.Count; i++)
        {
            var (spec, parameter) = (questions[i], $"customQuestions[{i}]");
            QuestionType? type = Enum.TryParse<QuestionType>(spec?.Type?.Replace("_", ""), ignoreCase: true, out var parsed) ? parsed : null;
            if (string.IsNullOrWhiteSpace(spec?.Name)) details.Add(new($"{parameter}.name", "is required"));
            else if (checkedQuestions.Any(q => q.Name == spec.Name.Trim())) details.Add(new($"{parameter}.name", "is asked twice"));
            if (type is null) details.Add(new($"{parameter}.type", "must be one of: string, text, phone_number, single_select, multi_select"));
            var choices = spec?.AnswerChoices ?? [];
            var selects = type is QuestionType.SingleSelect or QuestionType.MultiSelect;
            if (selects && (choices.Count == 0 || choices.Any(string.IsNullOrWhiteSpace)))
                details.Add(new($"{parameter}.answerChoices", "must list the choices of a select question"));
            else if (!selects && choices.Count > 0) details.Add(new($"{parameter}.answerChoices", "are for select questions only"));
            if (details.Count == 0)
                checkedQuestions.Add(new CustomQuestion(spec!.Name!.Trim(), type!.Value, i, spec.Required ?? false, choices, spec.IncludeOther ?? false));
        }
        return checkedQuestions;
    }

    private static EventLocation? LocationOf(LocationSpec? spec) =>
        spec?.Kind is { } kind ? new EventLocation(kind, string.IsNullOrWhiteSpace(spec.Location) ? null : spec.Location.Trim()) : null;

    // Calendly's slugs: lower-case words joined by dashes; a uuid prefix keeps them unique per owner.
    private static string Slug(string name) => NotInSlug().Replace(name.ToLowerInvariant(), "-").Trim('-') is { Length: > 0 } slug ? slug : "event";

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NotInSlug();
}
