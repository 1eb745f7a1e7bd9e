namespace Calendly.Simulator.Webhooks;

/// <summary>
/// The webhook events the simulator fires: invitee.* from bookings and the scheduled-events API, event_type.* from
/// /_sim/event_types (it has no settings pages to change event types in). Not routing forms.
/// </summary>
public static class WebhookEvents
{
    public const string InviteeCreated = "invitee.created";
    public const string InviteeCanceled = "invitee.canceled";
    public const string NoShowCreated = "invitee_no_show.created";
    public const string NoShowDeleted = "invitee_no_show.deleted";
    public const string EventTypeCreated = "event_type.created";
    public const string EventTypeUpdated = "event_type.updated";
    public const string EventTypeDeleted = "event_type.deleted";

    /// <summary>Every name Calendly accepts at subscription time, with the scopes each allows.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> AllowedScopes = new Dictionary<string, string[]>
    {
        [InviteeCreated] = ["organization", "user", "group"],
        [InviteeCanceled] = ["organization", "user", "group"],
        [NoShowCreated] = ["organization", "user", "group"],
        [NoShowDeleted] = ["organization", "user", "group"],
        [EventTypeCreated] = ["organization", "user", "group"],
        [EventTypeUpdated] = ["organization", "user", "group"],
        [EventTypeDeleted] = ["organization", "user", "group"],
        ["routing_form_submission.created"] = ["organization"],
    };
}
