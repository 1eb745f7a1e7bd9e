namespace Calendly.Simulator.OAuth;

/// <summary>What a grant gets: its scope string (names space-separated, or "default") and the asked names Calendly has no scope for.</summary>
public sealed record ScopeGrant(string Scope, IReadOnlyList<string> Unknown);

/// <summary>Endpoint metadata: the scopes of which a token needs any one to call the route.</summary>
public sealed record ScopeRequirement(IReadOnlyList<string> AnyOf);

/// <summary>
/// Calendly's granular OAuth scopes (since 2026-03-03), the legacy "default" grant (everything), and which routes and
/// webhook events need which. A :write scope includes the :read scope of its family.
/// </summary>
public static class Scopes
{
    public const string Default = "default";

    public const string UsersRead = "users:read";
    public const string OrganizationsRead = "organizations:read";
    public const string OrganizationsWrite = "organizations:write";
    public const string GroupsRead = "groups:read";
    public const string LocationsRead = "locations:read";
    public const string EventTypesRead = "event_types:read";
    public const string EventTypesWrite = "event_types:write";
    public const string AvailabilityRead = "availability:read";
    public const string AvailabilityWrite = "availability:write";
    public const string ScheduledEventsRead = "scheduled_events:read";
    public const string ScheduledEventsWrite = "scheduled_events:write";
    public const string SchedulingLinksWrite = "scheduling_links:write";
    public const string SharesWrite = "shares:write";
    public const string RoutingFormsRead = "routing_forms:read";
    public const string WebhooksRead = "webhooks:read";
    public const string WebhooksWrite = "webhooks:write";
    public const string ContactsRead = "contacts:read";
    public const string ContactsWrite = "contacts:write";
    public const string MeetingRecapsRead = "meeting_recaps:read";
    public const string MeetingRecapsWrite = "meeting_recaps:write";
    public const string ActivityLogRead = "activity_log:read";
    public const string OutgoingCommunicationsRead = "outgoing_communications:read";
    public const string DataComplianceWrite = "data_compliance:write";

    /// <summary>Every scope an app can tick in Calendly's developer console.</summary>
    public static readonly IReadOnlyList<string> Catalog =
    [
        UsersRead, OrganizationsRead, OrganizationsWrite, GroupsRead, LocationsRead, EventTypesRead, EventTypesWrite, AvailabilityRead,
        AvailabilityWrite, ScheduledEventsRead, ScheduledEventsWrite, SchedulingLinksWrite, SharesWrite, RoutingFormsRead, WebhooksRead,
        WebhooksWrite, ContactsRead, ContactsWrite, MeetingRecapsRead, MeetingRecapsWrite, ActivityLogRead, OutgoingCommunicationsRead,
        DataComplianceWrite,
    ];

    /// <summary>The read scope a subscription needs for the payloads of each webhook event family (the name before the dot).</summary>
    public static readonly IReadOnlyDictionary<string, string> WebhookEventFamilies = new Dictionary<string, string>
    {
        ["invitee"] = ScheduledEventsRead,
        ["invitee_no_show"] = ScheduledEventsRead,
        ["event_type"] = EventTypesRead,
        ["routing_form_submission"] = RoutingFormsRead,
        ["meeting_recap"] = MeetingRecapsRead,
        ["contact"] = ContactsRead,
    };

    private static readonly HashSet<string> Known = [.. Catalog, Default];

    /// <summary>Whether a token granted <paramref name="grantedScope"/> (space-separated) may do what <paramref name="needed"/> allows.</summary>
    public static bool Grants(string grantedScope, string needed) => Grants(Split(grantedScope), needed);

    /// <summary>
    /// Narrows what a grant asks (space-separated, or null) to what the client is registered for: each asked name its
    /// registration grants, or everything registered when nothing is asked. A legacy client (no registered scopes) gets
    /// what it asks, or "default". Names outside the catalog come back in <see cref="ScopeGrant.Unknown"/> to be refused.
    /// </summary>
    public static ScopeGrant Grant(OAuthClient client, string? requestedScope)
    {
        var requested = Split(requestedScope);
        var unknown = requested.Where(name => !Known.Contains(name)).ToList();
        var registered = client.Scopes;
        if (requested.Count == 0) return new(registered is null ? Default : string.Join(' ', registered), unknown);
        var granted = registered is null ? requested : requested.Where(name => Grants(registered, name));
        return new(string.Join(' ', granted), unknown);
    }

    /// <summary>The names that are not scopes of the catalog ("default" included: it is no scope an app can be registered for).</summary>
    public static IReadOnlyList<string> NotInCatalog(IEnumerable<string?> names) =>
        [.. names.Where(name => name is null || !Catalog.Contains(name)).Select(name => name ?? "null")];

    /// <summary>The read scopes, one per event family, that receiving these webhook events needs and the grant lacks.</summary>
    public static IReadOnlyList<string> MissingForWebhookEvents(string grantedScope, IEnumerable<string> eventNames)
    {
        var granted = Split(grantedScope);
        return [.. eventNames
            .Select(name => WebhookEventFamilies.GetValueOrDefault(name.Split('.')[0]))
            .OfType<string>()
            .Where(needed => !Grants(granted, needed))
            .Distinct()];
    }

    /// <summary>
    /// Marks an API route as needing one of these scopes; <see cref="Api.ScopeEnforcement"/> refuses tokens without any
    /// of them with Calendly's 403 Insufficient scope.
    /// </summary>
    public static TBuilder RequiresScope<TBuilder>(this TBuilder builder, params IReadOnlyList<string> anyOf)
        where TBuilder : IEndpointConventionBuilder =>
        anyOf.Count > 0 && anyOf.All(Catalog.Contains)
            ? builder.WithMetadata(new ScopeRequirement(anyOf))
            : throw new ArgumentException($"Not scopes of the catalog: {string.Join(", ", anyOf)}", nameof(anyOf));

    private static bool Grants(IReadOnlyCollection<string> granted, string needed) =>
        granted.Contains(Default) || granted.Contains(needed)
        || needed.EndsWith(":read", StringComparison.Ordinal) && granted.Contains(needed[..^":read".Length] + ":write");

    private static List<string> Split(string? scope) => [.. (scope ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct()];
}
