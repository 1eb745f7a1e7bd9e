namespace App.Infrastructure.Api;

/// <summary>
/// One scheduled event as its viewer sees it: the items of GET /api/calendly/events/scheduled, and the session a booking
/// made in the app answers with, in one shape. <c>ActiveInvitees</c> above 1 is a group event. <c>CancelUrl</c> and
/// <c>RescheduleUrl</c> are the realtor's own invitee links (null for coaches, who cancel through the API).
/// </summary>
public sealed record SessionItem(
    string Uuid, string Uri, string Name, DateTimeOffset StartTime, DateTimeOffset EndTime, string Status, SessionCoach Coach,
    IReadOnlyList<SessionInvitee> Invitees, int ActiveInvitees, string? CancelUrl, string? RescheduleUrl,
    SessionCancellation? Cancellation);

/// <param name="TimeZone">The coach's time zone in this app, in a realtor's items (where the coach's time is shown beside
/// the realtor's); null in a coach's own.</param>
public sealed record SessionCoach(string? CalendlyUserUri, string? Name, string? Email, string? TimeZone);

public sealed record SessionInvitee(string Uri, string? Name, string? Email, string Status, string? CancelUrl, string? RescheduleUrl,
    string? NoShowUri, bool Rescheduled);

public sealed record SessionCancellation(string? CanceledBy, string? Reason, string? CancelerType, DateTimeOffset? CanceledAt);
