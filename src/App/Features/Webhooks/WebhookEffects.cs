using System.Text.Json;

namespace App.Features.Webhooks;

/// <summary>
/// What each event changes. Every effect is an upsert keyed by the invitee's URI, so applying an event twice (a
/// redelivery that slipped through, a replay, a back-filled copy) changes nothing the second time, and events arriving
/// out of order cannot bring a canceled session back.
/// </summary>
public static class WebhookEffects
{
    /// <summary>The coaches whose cached availability the event changes, and a note when it was deliberately not acted on.</summary>
    public sealed record Outcome(IReadOnlyList<long> CoachIds, string? Note);

    private static readonly Outcome NothingToDo = new([], null);

    /// <summary>
    /// Applies one event in the caller's transaction. <paramref name="coachesByUri"/> remembers which coach a Calendly user
    /// is across the events of one batch (a burst of bookings is usually one coach's).
    /// </summary>
    public static async Task<Outcome> ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string eventType,
        JsonElement envelope, Dictionary<string, long?> coachesByUri, CancellationToken ct)
    {
        if (!envelope.TryGetProperty("payload", out var payload) || payload.ValueKind != JsonValueKind.Object)
            return new([], "No payload: kept, not acted on.");

        switch (eventType)
        {
            case "invitee.created":
            case "invitee.canceled":
            case "invitee_no_show.created":
            case "invitee_no_show.deleted":
                var coachId = await CoachOfAsync(connection, transaction, payload, coachesByUri, ct);
                if (coachId is null) return new([], "No connected coach hosts this event: kept, not acted on.");
                await (eventType switch
                {
                    "invitee.created" => BookedAsync(connection, transaction, coachId.Value, payload, ct),
                    "invitee.canceled" => CanceledAsync(connection, transaction, coachId.Value, payload, ct),
                    "invitee_no_show.created" => NoShowAsync(connection, transaction, payload, Text(payload, "no_show", "uri"), ct),
                    _ => NoShowAsync(connection, transaction, payload, null, ct),
                });
                return new([coachId.Value], null);
            case "event_type.created":
            case "event_type.updated":
            case "event_type.deleted":
                // The seed's availability update: the coach's event types and free times are fetched again on next use.
                var owner = Text(payload, "profile", "owner") is { } ownerUri ? await CoachByUriAsync(connection, transaction, ownerUri, coachesByUri, ct) : null;
                return owner is { } id ? new([id], null) : new([], "No connected coach owns this event type: kept, not acted on.");
            default:
                // Routing form submissions need organization scope; anything else is not ours to act on.
                return new([], $"{eventType} is stored but not acted on.");
        }
    }

    // The realtor who booked, found inside each upsert (one round trip an event): the widget's opaque utm_content
    // reference, else a realtor with the invitee's email, else (a reschedule) whoever booked the invitee it replaces.
    private const string RealtorSql = """
        coalesce(
            (select id from users where booking_ref = @BookingReference),
            (select id from users where role = 'realtor' and lower(email) = lower(@InviteeEmail) order by id limit 1),
            (select realtor_id from sessions where invitee_uri = @OldInvitee))
        """;

    private const string BookedSql = $"""
        insert into sessions (coach_id, realtor_id, scheduled_event_uri, invitee_uri, event_type_uri, event_name, invitee_name,
                              invitee_email, start_time, end_time, status, cancel_url, reschedule_url, source)
        values (@CoachId, {RealtorSql}, @EventUri, @InviteeUri, @EventTypeUri, @EventName, @InviteeName, @InviteeEmail,
                @StartTime, @EndTime, 'active', @CancelUrl, @RescheduleUrl, 'webhook')
        on conflict (invitee_uri) do update set
            realtor_id = coalesce(sessions.realtor_id, excluded.realtor_id),
            start_time = excluded.start_time, end_time = excluded.end_time,
            cancel_url = coalesce(excluded.cancel_url, sessions.cancel_url),
            reschedule_url = coalesce(excluded.reschedule_url, sessions.reschedule_url),
            updated_at = now()
        """;

    /// <summary>
    /// A booking. A reschedule arrives as a new invitee with old_invitee set: the new session inherits the realtor of
    /// the old one, which its invitee.canceled (rescheduled: true) marks as rescheduled rather than canceled.
    /// </summary>
    private static async Task BookedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long coachId, JsonElement payload,
        CancellationToken ct)
    {
        var session = SessionOf(coachId, payload);
        await connection.ExecuteAsync(new CommandDefinition(BookedSql, session, transaction, cancellationToken: ct));
        if (session.OldInvitee is not null)
            await MarkRescheduledAsync(connection, transaction, session.OldInvitee, session.InviteeUri, ct);
    }

    private const string CanceledSql = $"""
        insert into sessions (coach_id, realtor_id, scheduled_event_uri, invitee_uri, event_type_uri, event_name, invitee_name,
                              invitee_email, start_time, end_time, status, cancel_url, reschedule_url, canceled_at,
                              cancel_reason, canceler_type, source)
        values (@CoachId, {RealtorSql}, @EventUri, @InviteeUri, @EventTypeUri, @EventName, @InviteeName, @InviteeEmail,
                @StartTime, @EndTime, 'canceled', @CancelUrl, @RescheduleUrl, @CanceledAt, @Reason, @CancelerType, 'webhook')
        on conflict (invitee_uri) do update set
            status = case when sessions.status = 'rescheduled' then sessions.status else 'canceled' end,
            canceled_at = coalesce(sessions.canceled_at, excluded.canceled_at),
            cancel_reason = coalesce(sessions.cancel_reason, excluded.cancel_reason),
            canceler_type = coalesce(sessions.canceler_type, excluded.canceler_type),
            updated_at = now()
        """;

    private static async Task CanceledAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long coachId, JsonElement payload,
        CancellationToken ct)
    {
        var inviteeUri = Text(payload, "uri")!;
        if (payload.TryGetProperty("rescheduled", out var rescheduled) && rescheduled.ValueKind == JsonValueKind.True)
        {
            // Not a cancellation: the booking moved. Its invitee.created (with old_invitee) carries the new session.
            if (Text(payload, "new_invitee") is { } newInvitee)
                await MarkRescheduledAsync(connection, transaction, inviteeUri, newInvitee, ct);
            return;
        }
        await connection.ExecuteAsync(new CommandDefinition(CanceledSql, SessionOf(coachId, payload), transaction, cancellationToken: ct));
    }

    /// <summary>
    /// The session row an invitee payload describes (the cancellation fields stay null for a booking), and what finds
    /// its realtor (<see cref="RealtorSql"/>).
    /// </summary>
    private sealed record SessionFields(
        long CoachId, string EventUri, string InviteeUri, string? EventTypeUri, string EventName, string? InviteeName,
        string? InviteeEmail, DateTimeOffset StartTime, DateTimeOffset EndTime, string? CancelUrl, string? RescheduleUrl,
        DateTimeOffset? CanceledAt, string? Reason, string? CancelerType, string? BookingReference, string? OldInvitee);

    private static SessionFields SessionOf(long coachId, JsonElement payload)
    {
        var scheduled = payload.GetProperty("scheduled_event");
        return new SessionFields(coachId, Text(scheduled, "uri")!, Text(payload, "uri")!, Text(scheduled, "event_type"),
            Text(scheduled, "name") ?? "Session", Text(payload, "name"), NullIfEmpty(Text(payload, "email")),
            scheduled.GetProperty("start_time").GetDateTimeOffset(), scheduled.GetProperty("end_time").GetDateTimeOffset(),
            Text(payload, "cancel_url"), Text(payload, "reschedule_url"), Time(payload, "cancellation", "created_at"),
            Text(payload, "cancellation", "reason"), Text(payload, "cancellation", "canceler_type"),
            NullIfEmpty(Text(payload, "tracking", "utm_content")), Text(payload, "old_invitee"));
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    private static Task MarkRescheduledAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string oldInvitee, string newInvitee,
        CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition("""
            update sessions set status = 'rescheduled', rescheduled_to = @NewInvitee, updated_at = now()
            where invitee_uri = @OldInvitee
            """, new { OldInvitee = oldInvitee, NewInvitee = newInvitee }, transaction, cancellationToken: ct));

    private static Task NoShowAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, JsonElement payload, string? noShowUri,
        CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            "update sessions set no_show_uri = @NoShowUri, updated_at = now() where invitee_uri = @InviteeUri",
            new { NoShowUri = noShowUri, InviteeUri = Text(payload, "uri") }, transaction, cancellationToken: ct));

    /// <summary>The connected coach among the event's hosts.</summary>
    private static async Task<long?> CoachOfAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, JsonElement payload,
        Dictionary<string, long?> coachesByUri, CancellationToken ct)
    {
        if (!payload.TryGetProperty("scheduled_event", out var scheduled) || !scheduled.TryGetProperty("event_memberships", out var members))
            return null;
        foreach (var member in members.EnumerateArray())
            if (Text(member, "user") is { } userUri && await CoachByUriAsync(connection, transaction, userUri, coachesByUri, ct) is { } id)
                return id;
        return null;
    }

    private static async Task<long?> CoachByUriAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string calendlyUserUri,
        Dictionary<string, long?> coachesByUri, CancellationToken ct)
    {
        var uri = calendlyUserUri.TrimEnd('/');
        if (!coachesByUri.TryGetValue(uri, out var coachId))
            coachesByUri[uri] = coachId = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                "select user_id from calendly_integrations where calendly_user_uri = @Uri", new { Uri = uri }, transaction, cancellationToken: ct));
        return coachId;
    }

    private static string? Text(JsonElement element, params string[] path)
    {
        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element)) return null;
        }
        return element.ValueKind == JsonValueKind.String ? element.GetString() : null;
    }

    private static DateTimeOffset? Time(JsonElement element, params string[] path) =>
        Text(element, path) is { } text && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var time) ? time : null;
}
