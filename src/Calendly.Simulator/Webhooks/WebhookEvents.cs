namespace Calendly.Simulator.Webhooks;

/// <summary>
/// The webhook events Calendly accepts at subscription time. The simulator fires invitee.* (bookings and the
/// scheduled-events API) and event_type.* (from /_sim/event_types: it has no settings pages); routing forms, meeting
/// recaps and contacts are not simulated, so subscriptions to them are accepted but never fire.
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

    /// <summary>
    /// What subscribing to an event takes: one of its scopes and, for the plan-gated events (routing forms and Notetaker
    /// since 2026-11-03), an organization on a paid plan.
    /// </summary>
    public sealed record EventRule(string[] Scopes, bool NeedsPaidPlan = false);

    private static readonly string[] AnyScope = ["organization", "user", "group"];

    public static readonly IReadOnlyDictionary<string, EventRule> Rules = new Dictionary<string, EventRule>
    {
        [InviteeCreated] = new(AnyScope),
        [InviteeCanceled] = new(AnyScope),
        [NoShowCreated] = new(AnyScope),
        [NoShowDeleted] = new(AnyScope),
        [EventTypeCreated] = new(AnyScope),
        [EventTypeUpdated] = new(AnyScope),
        [EventTypeDeleted] = new(AnyScope),
        ["routing_form_submission.created"] = new(["organization"], NeedsPaidPlan: true),
        ["meeting_recap.created"] = new(["user"], NeedsPaidPlan: true),
        ["meeting_recap.updated"] = new(["user"], NeedsPaidPlan: true),
        ["meeting_recap.deleted"] = new(["user"], NeedsPaidPlan: true),
        ["contact.created"] = new(AnyScope),
        ["contact.updated"] = new(AnyScope),
        ["contact.deleted"] = new(AnyScope),
    };

    /// <summary>Calendly's 400 detail for an event that cannot be subscribed to at the scope; null when it can.</summary>
    public static string? ProblemWith(string? name, string? scope) =>
        name is null || !Rules.TryGetValue(name, out var rule) ? $"{name} is not a valid event"
        : scope is not null && !rule.Scopes.Contains(scope) ? $"{name} is not available for {scope} scope"
        : null;
}
