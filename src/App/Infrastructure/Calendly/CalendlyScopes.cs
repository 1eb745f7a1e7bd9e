namespace App.Infrastructure.Calendly;

/// <summary>
/// Calendly's OAuth scopes (granular since March 2026) as this app uses them: what connecting asks for, what a
/// connection cannot do without, and which features a missing scope switches off. A :write scope includes the :read
/// of its family; a legacy app's grant is "default", which is everything.
/// </summary>
public static class CalendlyScopes
{
    public const string Default = "default";
    public const string UsersRead = "users:read";
    public const string EventTypesRead = "event_types:read";
    public const string AvailabilityRead = "availability:read";
    public const string ScheduledEventsRead = "scheduled_events:read";
    public const string ScheduledEventsWrite = "scheduled_events:write";
    public const string WebhooksWrite = "webhooks:write";

    /// <summary>
    /// What connecting asks for: exactly what the calls in <see cref="CalendlyClient"/> need. Calendly's docs disagree on
    /// whether available times need event_types:read or availability:read, so both are asked.
    /// </summary>
    public static readonly IReadOnlyList<string> Required =
        [UsersRead, EventTypesRead, ScheduledEventsWrite, AvailabilityRead, WebhooksWrite];

    /// <summary>Without these nothing a realtor sees works (the coach's account, event types, free times): such a grant is refused.</summary>
    public static readonly IReadOnlyList<string> Essential = [UsersRead, EventTypesRead, AvailabilityRead];

    /// <summary>A feature that works only with more than the essential scopes; <paramref name="Off"/> is how the connection card says it is off.</summary>
    public sealed record Feature(string Off, IReadOnlyList<string> Needs);

    public static readonly IReadOnlyList<Feature> Features =
    [
        new("Booking from the app is off", [ScheduledEventsWrite]),
        new("Cancelling sessions and marking no-shows are off", [ScheduledEventsWrite]),
        new("Your sessions list and recording bookings made on Calendly's page are off", [ScheduledEventsRead]),
        // A subscription to invitee events needs their read scope too.
        new("Real-time updates are off", [WebhooksWrite, ScheduledEventsRead]),
    ];

    /// <summary>
    /// The scope names of a token response's <c>scope</c> (space-separated). Legacy apps are answered "default"; an answer
    /// without the field is read the same way. An empty one grants nothing (an app with no scope ticked).
    /// </summary>
    public static IReadOnlyList<string> Parse(string? scope) =>
        scope is null ? [Default] : [.. scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct()];

    /// <summary>The grant as the status shows it: a legacy grant counts as everything this app asks.</summary>
    public static IReadOnlyList<string> Expanded(IReadOnlyCollection<string> granted) => granted.Contains(Default) ? Required : [.. granted];

    public static bool Grants(IReadOnlyCollection<string> granted, string needed) =>
        granted.Contains(Default) || granted.Contains(needed)
        || needed.EndsWith(":read", StringComparison.Ordinal) && granted.Contains(needed[..^":read".Length] + ":write");

    /// <summary>What the app asks and the grant lacks; empty when the connection can do everything.</summary>
    public static IReadOnlyList<string> Missing(IReadOnlyCollection<string> granted) =>
        [.. Required.Where(needed => !Grants(granted, needed))];

    /// <summary>The essential scopes the grant lacks: a connection without any of them is not saved.</summary>
    public static IReadOnlyList<string> MissingEssential(IReadOnlyCollection<string> granted) =>
        [.. Essential.Where(needed => !Grants(granted, needed))];

    /// <summary>The features the grant switches off, each with the scopes it lacks.</summary>
    public static IReadOnlyList<(Feature Feature, IReadOnlyList<string> Lacking)> Off(IReadOnlyCollection<string> granted) =>
        [.. Features
            .Select(feature => (feature, (IReadOnlyList<string>)[.. feature.Needs.Where(needed => !Grants(granted, needed))]))
            .Where(off => off.Item2.Count > 0)];
}
