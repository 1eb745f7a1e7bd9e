using static App.Features.NativeBooking.NativeBookingModule;

namespace App.Features.NativeBooking;

/// <summary>
/// The sessions row of a booking, written as soon as Calendly confirms it, with the columns the webhook effects write:
/// the invitee.created that follows (or came first) upserts the same row (one per invitee URI), attributed to the same
/// realtor through the booking's utm_content. Read back as the realtor's sessions list shows it.
/// </summary>
internal static class NewSessions
{
    /// <summary>What Calendly confirmed, and who booked with whom.</summary>
    public sealed record Facts(long CoachId, long RealtorId, string EventUri, string InviteeUri, string? EventTypeUri, string EventName,
        string InviteeName, string InviteeEmail, DateTimeOffset StartTime, DateTimeOffset EndTime, string CancelUrl, string RescheduleUrl);

    // Whichever arrives first writes the row. A webhook that came first holds Calendly's own times and status, so they stay.
    private const string RecordSql = """
        insert into sessions (coach_id, realtor_id, scheduled_event_uri, invitee_uri, event_type_uri, event_name, invitee_name,
                              invitee_email, start_time, end_time, status, cancel_url, reschedule_url, source)
        values (@CoachId, @RealtorId, @EventUri, @InviteeUri, @EventTypeUri, @EventName, @InviteeName, @InviteeEmail,
                @StartTime, @EndTime, 'active', @CancelUrl, @RescheduleUrl, 'booking')
        on conflict (invitee_uri) do update set
            realtor_id = coalesce(sessions.realtor_id, excluded.realtor_id),
            cancel_url = coalesce(sessions.cancel_url, excluded.cancel_url),
            reschedule_url = coalesce(sessions.reschedule_url, excluded.reschedule_url),
            updated_at = now()
        """;

    private sealed record Row(
        string ScheduledEventUri, string InviteeUri, string EventName, string? InviteeName, string? InviteeEmail, DateTimeOffset StartTime,
        DateTimeOffset EndTime, string Status, string? CancelUrl, string? RescheduleUrl, DateTimeOffset? CanceledAt, string? CancelReason,
        string? CancelerType, string? NoShowUri, string? CoachEmail, string? CoachCalendlyUri, long ActiveInvitees, string CoachName,
        string CoachTimeZone);

    // As the realtor's sessions list reads a row: the coach's email, name, Calendly URI and zone, and the event's active invitees here.
    private const string ReadSql = """
        select s.scheduled_event_uri, s.invitee_uri, s.event_name, s.invitee_name, s.invitee_email, s.start_time, s.end_time,
               s.status, s.cancel_url, s.reschedule_url, s.canceled_at, s.cancel_reason, s.canceler_type, s.no_show_uri,
               coach.email as coach_email, ci.calendly_user_uri as coach_calendly_uri,
               (select count(*) from sessions other
                where other.scheduled_event_uri = s.scheduled_event_uri and other.status = 'active') as active_invitees,
               coach_name.name as coach_name, coach.time_zone as coach_time_zone
        from sessions s
        join users coach on coach.id = s.coach_id
        join display_names coach_name on coach_name.user_id = s.coach_id
        left join calendly_integrations ci on ci.user_id = s.coach_id
        where s.invitee_uri = @InviteeUri
        """;

    public static async Task<NewSession> RecordAsync(NpgsqlDataSource db, Facts facts, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(RecordSql, facts, cancellationToken: ct));
        var row = await connection.QuerySingleAsync<Row>(new CommandDefinition(ReadSql, new { facts.InviteeUri }, cancellationToken: ct));

        // The list says "canceled" for a rescheduled invitee too, and gives the realtor's own links only while it stands.
        var status = row.Status == "active" ? "active" : "canceled";
        var standing = status == "active";
        return new NewSession(CalendlyClient.UuidOf(row.ScheduledEventUri), row.ScheduledEventUri, row.EventName, row.StartTime, row.EndTime,
            status, new NewSessionCoach(row.CoachCalendlyUri, row.CoachName, row.CoachEmail, row.CoachTimeZone),
            [new NewSessionInvitee(row.InviteeUri, row.InviteeName, row.InviteeEmail, status, row.CancelUrl, row.RescheduleUrl, row.NoShowUri,
                row.Status == "rescheduled")],
            (int)row.ActiveInvitees, standing ? row.CancelUrl : null, standing ? row.RescheduleUrl : null,
            row.CanceledAt is null ? null : new NewSessionCancellation(null, row.CancelReason, row.CancelerType, row.CanceledAt));
    }
}
