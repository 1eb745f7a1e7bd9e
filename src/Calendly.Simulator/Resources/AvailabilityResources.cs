using System.Globalization;
using System.Text.Json.Serialization;
using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.Scheduling;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Resources;

public sealed record AvailableTimeResource(string Status, int InviteesRemaining, DateTimeOffset StartTime, string SchedulingUrl)
{
    /// <summary>The slot's own booking link, shaped like Calendly's: …/{event}/{start}?month=YYYY-MM&amp;date=YYYY-MM-DD.</summary>
    public static AvailableTimeResource From(Slot slot, EventType type, User owner, ResourceUris uris)
    {
        var start = slot.Start.UtcDateTime;
        var url = $"{uris.SchedulingPage(owner.Slug, type.Slug)}/{start.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}" +
                  $"?month={start:yyyy-MM}&date={start:yyyy-MM-dd}";
        return new("available", slot.InviteesRemaining, slot.Start, url);
    }
}

public sealed record IntervalResource(string From, string To);

public sealed record RuleResource(
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Wday,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Date,
    IReadOnlyList<IntervalResource> Intervals);

public sealed record ScheduleResource(string Uri, bool Default, string Name, string User, string Timezone, IReadOnlyList<RuleResource> Rules)
{
    public static ScheduleResource From(AvailabilitySchedule s, ResourceUris uris) => new(uris.Schedule(s.Uuid), s.IsDefault, s.Name,
        uris.User(s.UserUuid), s.Timezone, [.. s.Rules.Select(Rule)]);

    private static RuleResource Rule(AvailabilityRule rule) => new(
        rule.Date is null ? "wday" : "date",
        rule.Weekday?.ToString().ToLowerInvariant(),
        rule.Date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        [.. rule.Intervals.Select(i => new IntervalResource(i.From.ToString("HH:mm", CultureInfo.InvariantCulture),
            i.To.ToString("HH:mm", CultureInfo.InvariantCulture)))]);
}

public sealed record EventReference(string Uri);

/// <summary>Calendly items carry their buffered times and event; external calendar items only type, start and end.</summary>
public sealed record BusyTimeResource(
    string Type,
    DateTimeOffset StartTime,
    DateTimeOffset EndTime,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? BufferedStartTime,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? BufferedEndTime,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] EventReference? Event)
{
    public static BusyTimeResource From(BusyTime busy, ResourceUris uris) => busy.Event is { } e
        ? new("calendly", busy.Start, busy.End, busy.BufferedStart, busy.BufferedEnd, new EventReference(uris.ScheduledEvent(e.Uuid)))
        : new("external", busy.Start, busy.End, null, null, null);
}
