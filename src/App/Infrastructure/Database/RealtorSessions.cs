namespace App.Infrastructure.Database;

/// <summary>
/// A realtor's sessions as the app knows them (rows of the sessions table, which bookings and webhooks fill), read one
/// way for the realtor's list and for the answer to a booking made in the app.
/// </summary>
public static class RealtorSessions
{
    public sealed record Row(
        long Id, string ScheduledEventUri, string InviteeUri, string EventName, string? InviteeName, string? InviteeEmail,
        DateTimeOffset StartTime, DateTimeOffset EndTime, string Status, string? CancelUrl, string? RescheduleUrl, DateTimeOffset? CanceledAt,
        string? CancelReason, string? CancelerType, string? NoShowUri, string? CoachEmail, string? CoachCalendlyUri, long ActiveInvitees,
        string CoachName, string CoachTimeZone);

    /// <summary>
    /// One row per invitee, with the coach's email, display name, Calendly URI and zone, and the event's active invitees that
    /// this app knows of (a group event has several); callers add their <c>where</c> on <c>s</c> (sessions), on a line of
    /// its own.
    /// </summary>
    public const string SelectSql = """
        select s.id, s.scheduled_event_uri, s.invitee_uri, s.event_name, s.invitee_name, s.invitee_email, s.start_time, s.end_time,
               s.status, s.cancel_url, s.reschedule_url, s.canceled_at, s.cancel_reason, s.canceler_type, s.no_show_uri,
               coach.email as coach_email, ci.calendly_user_uri as coach_calendly_uri,
               (select count(*) from sessions other
                where other.scheduled_event_uri = s.scheduled_event_uri and other.status = 'active') as active_invitees,
               coach_name.name as coach_name, coach.time_zone as coach_time_zone
        from sessions s
        join users coach on coach.id = s.coach_id
        join display_names coach_name on coach_name.user_id = s.coach_id
        left join calendly_integrations ci on ci.user_id = s.coach_id
        """ + "\n";

    /// <summary>
    /// The row as the realtor reads it: "canceled" also covers "rescheduled" (Calendly cancels the old invitee of a
    /// reschedule), and the realtor's own links are given only while the session stands.
    /// </summary>
    public static SessionItem ToItem(Row row)
    {
        var status = row.Status == "active" ? "active" : "canceled";
        var standing = status == "active";
        return new SessionItem(CalendlyClient.UuidOf(row.ScheduledEventUri), row.ScheduledEventUri, row.EventName, row.StartTime, row.EndTime,
            status, new SessionCoach(row.CoachCalendlyUri, row.CoachName, row.CoachEmail, row.CoachTimeZone),
            [new SessionInvitee(row.InviteeUri, row.InviteeName, row.InviteeEmail, status, row.CancelUrl, row.RescheduleUrl, row.NoShowUri,
                row.Status == "rescheduled")],
            (int)row.ActiveInvitees, standing ? row.CancelUrl : null, standing ? row.RescheduleUrl : null,
            row.CanceledAt is null ? null : new SessionCancellation(null, row.CancelReason, row.CancelerType, row.CanceledAt));
    }
}
