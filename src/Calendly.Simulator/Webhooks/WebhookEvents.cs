namespace Calendly.Simulator.Webhooks;

/// <summary>The webhook events the simulator fires (event_type.* would need event-type changes, which it does not simulate).</summary>
public static class WebhookEvents
{
    public const string InviteeCreated = "invitee.created";
    public const string InviteeCanceled = "invitee.canceled";
    public const string NoShowCreated = "invitee_no_show.created";
    public const string NoShowDeleted = "invitee_no_show.deleted";

    /// <summary>Every name Calendly accepts at subscription time, with the scopes each allows.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> AllowedScopes = new Dictionary<string, string[]>
    {
        [InviteeCreated] = ["organization", "user", "group"],
        [InviteeCanceled] = ["organization", "user", "group"],
        [NoShowCreated] = ["organization", "user", "group"],
        [NoShowDeleted] = ["organization", "user", "group"],
        ["event_type.created"] = ["organization", "user", "group"],
        ["event_type.updated"] = ["organization", "user", "group"],
        ["event_type.deleted"] = ["organization", "user", "group"],
        ["routing_form_submission.created"] = ["organization"],
    };
}
