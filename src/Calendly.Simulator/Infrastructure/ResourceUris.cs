using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Calendly.Simulator.Infrastructure;

/// <summary>
/// Resource URIs and public page URLs with Calendly's path shapes on the simulator's own base URL, so that clients can
/// follow them (next_page, scheduling_url, cancel_url) back to the simulator.
/// </summary>
public sealed class ResourceUris(SimulatorSettings settings, IServer server)
{
    private string? _baseUrl = settings.PublicBaseUrl;

    /// <summary>The configured public base URL, else the address Kestrel actually bound (known only after start, e.g. on port 0).</summary>
    public string BaseUrl => _baseUrl ??= BoundAddress();

    public string User(string uuid) => $"{BaseUrl}/users/{uuid}";
    public string Organization(string uuid) => $"{BaseUrl}/organizations/{uuid}";
    public string Group(string uuid) => $"{BaseUrl}/groups/{uuid}";
    public string Membership(string uuid) => $"{BaseUrl}/organization_memberships/{uuid}";
    public string EventType(string uuid) => $"{BaseUrl}/event_types/{uuid}";
    public string ScheduledEvent(string uuid) => $"{BaseUrl}/scheduled_events/{uuid}";
    public string Invitee(string eventUuid, string inviteeUuid) => $"{BaseUrl}/scheduled_events/{eventUuid}/invitees/{inviteeUuid}";
    public string NoShow(string uuid) => $"{BaseUrl}/invitee_no_shows/{uuid}";
    public string Schedule(string uuid) => $"{BaseUrl}/user_availability_schedules/{uuid}";
    public string WebhookSubscription(string uuid) => $"{BaseUrl}/webhook_subscriptions/{uuid}";

    // Public pages live under /book, which no API path starts with (Calendly puts them on calendly.com/{slug}).
    public string SchedulingPage(string userSlug) => $"{BaseUrl}/book/{userSlug}";
    public string SchedulingPage(string userSlug, string eventSlug) => $"{BaseUrl}/book/{userSlug}/{eventSlug}";
    public string CancelPage(string inviteeUuid) => $"{BaseUrl}/cancellations/{inviteeUuid}";
    public string ReschedulePage(string inviteeUuid) => $"{BaseUrl}/reschedulings/{inviteeUuid}";

    /// <summary>
    /// The uuid of a resource URI such as https://api.calendly.com/users/{uuid}. Only the path is checked, so URIs
    /// naming Calendly's host or another base URL of this simulator both work.
    /// </summary>
    public static string? UuidOf(string? uri, string collection)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https")) return null;
        var segments = parsed.AbsolutePath.Trim('/').Split('/');
        return segments is [var name, var uuid] && name == collection && uuid.Length > 0 ? uuid : null;
    }

    /// <summary>Event and invitee uuids of an invitee URI (…/scheduled_events/{event}/invitees/{invitee}).</summary>
    public static (string EventUuid, string InviteeUuid)? InviteeUuidsOf(string? uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed)) return null;
        return parsed.AbsolutePath.Trim('/').Split('/') is ["scheduled_events", var e, "invitees", var i] ? (e, i) : null;
    }

    /// <summary>A user given as a full URI or, in control endpoints, as a bare uuid.</summary>
    public static string UserUuidOf(string userOrUuid) => UuidOf(userOrUuid, "users") ?? userOrUuid;

    private string BoundAddress()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The simulator has no bound address yet; set SIM_PUBLIC_BASE_URL.");
        var uri = new UriBuilder(address);
        if (uri.Host is "+" or "*" or "[::]" or "0.0.0.0") uri.Host = "localhost";
        return uri.Uri.GetLeftPart(UriPartial.Authority);
    }
}
