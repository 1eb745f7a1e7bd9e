namespace App.Features.NativeBooking;

/// <summary>A session the realtor booked, as its confirmation and its calendar file show it.</summary>
public sealed record BookedSession(string Uuid, string EventName, string CoachName, DateTimeOffset StartTime, DateTimeOffset EndTime,
    bool Active, string? CancelUrl, string? RescheduleUrl, ShownTime When)
{
    public string CalendarUrl => $"{BookingPages.BookedPath}/{Uuid}/calendar.ics";
}

/// <summary>Finds a realtor's own session by its Calendly event's uuid: nobody else's, whoever asks.</summary>
internal static class BookedSessions
{
    private sealed record Row(string EventName, string CoachName, string CoachTimeZone, DateTimeOffset StartTime, DateTimeOffset EndTime,
        string Status, string? CancelUrl, string? RescheduleUrl);

    // The coach named as everywhere (display_names). The event's uuid ends its URI (…/scheduled_events/{uuid}); the route lets only letters, digits and dashes through.
    private const string FindSql = """
        select s.event_name, coach_name.name as coach_name, coach.time_zone as coach_time_zone,
               s.start_time, s.end_time, s.status, s.cancel_url, s.reschedule_url
        from sessions s
        join users coach on coach.id = s.coach_id
        join display_names coach_name on coach_name.user_id = s.coach_id
        where s.realtor_id = @RealtorId and s.scheduled_event_uri like '%/scheduled_events/' || @Uuid
        order by s.updated_at desc
        limit 1
        """;

    public static async Task<BookedSession?> FindAsync(NpgsqlDataSource db, CurrentUser user, string uuid, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(FindSql, new { RealtorId = user.Id, Uuid = uuid },
            cancellationToken: ct));
        if (row is null) return null;
        var active = row.Status == "active";
        return new BookedSession(uuid, row.EventName, row.CoachName, row.StartTime, row.EndTime, active, active ? row.CancelUrl : null,
            active ? row.RescheduleUrl : null, ShownTime.Of(row.StartTime, ShownTime.Zone(user.TimeZone), ShownTime.Zone(row.CoachTimeZone)));
    }
}
