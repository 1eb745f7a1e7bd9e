using App.Infrastructure.Database;

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

    // As the realtor's sessions list reads it.
    private const string ReadSql = RealtorSessions.SelectSql + "where s.invitee_uri = @InviteeUri";

    public static async Task<SessionItem> RecordAsync(NpgsqlDataSource db, Facts facts, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(RecordSql, facts, cancellationToken: ct));
        return RealtorSessions.ToItem(await connection.QuerySingleAsync<RealtorSessions.Row>(
            new CommandDefinition(ReadSql, new { facts.InviteeUri }, cancellationToken: ct)));
    }
}
