using System.Text.Json;
using App.Infrastructure.Database;

namespace App.Features.Webhooks;

/// <summary>
/// What each event changes. Every effect is an upsert keyed by the invitee's URI, so applying an event twice (a
/// redelivery that slipped through, a replay, a back-filled copy) changes nothing the second time, and events arriving
/// out of order cannot bring a canceled session back. Effects are statements added to the batch's writes, run in order.
/// </summary>
public static class WebhookEffects
{
    /// <summary>The coaches whose cached availability the event changes, and a note when it was deliberately not acted on.</summary>
    public sealed record Outcome(IReadOnlyList<long> CoachIds, string? Note);

    /// <summary>
    /// Adds what one event changes to <paramref name="writes"/>, which its batch sends in one round trip.
    /// <paramref name="coachesByUri"/> holds the connected coach (or null) of every user <see cref="UsersOf"/> names.
    /// </summary>
    public static Outcome Apply(string eventType, JsonElement envelope, IReadOnlyDictionary<string, long?> coachesByUri, Writes writes)
    {
        if (!envelope.TryGetProperty("payload", out var payload) || payload.ValueKind != JsonValueKind.Object)
            return new([], "No payload: kept, not acted on.");

        switch (eventType)
        {
            case "invitee.created":
            case "invitee.canceled":
            case "invitee_no_show.created":
            case "invitee_no_show.deleted":
                // The connected coach among the event's hosts.
                if (Hosts(payload).Select(uri => coachesByUri.GetValueOrDefault(uri)).FirstOrDefault(id => id is not null) is not { } coachId)
                    return new([], "No connected coach hosts this event: kept, not acted on.");
                if (HostName(payload, coachesByUri, coachId) is { } hostName)
                    writes.Add(HostNameSql, new { CoachId = coachId, Name = hostName });
                switch (eventType)
                {
                    case "invitee.created": Booked(coachId, payload, writes); break;
                    case "invitee.canceled": Canceled(coachId, payload, writes); break;
                    case "invitee_no_show.created": NoShow(coachId, payload, Text(payload, "no_show", "uri"), writes); break;
                    default: NoShow(coachId, payload, null, writes); break;
                }
                return new([coachId], null);
            case "event_type.created":
            case "event_type.updated":
            case "event_type.deleted":
                // The seed's availability update: the coach's event types and free times are fetched again on next use.
                return Owner(payload) is { } ownerUri && coachesByUri.GetValueOrDefault(ownerUri) is { } ownerId
                    ? new([ownerId], null)
                    : new([], "No connected coach owns this event type: kept, not acted on.");
            default:
                // Routing form submissions need organization scope; anything else is not ours to act on.
                return new([], $"{eventType} is stored but not acted on.");
        }
    }

    /// <summary>The Calendly users an event concerns (its hosts, or its event type's owner), so that a batch finds its coaches at once.</summary>
    public static IEnumerable<string> UsersOf(JsonElement envelope) =>
        envelope.TryGetProperty("payload", out var payload) && payload.ValueKind == JsonValueKind.Object
            ? Owner(payload) is { } owner ? [.. Hosts(payload), owner] : Hosts(payload)
            : [];

    private static IEnumerable<string> Hosts(JsonElement payload) =>
        payload.TryGetProperty("scheduled_event", out var scheduled) && scheduled.ValueKind == JsonValueKind.Object
        && scheduled.TryGetProperty("event_memberships", out var members) && members.ValueKind == JsonValueKind.Array
            ? members.EnumerateArray().Select(member => Text(member, "user")).OfType<string>().Select(CanonicalUri).ToList()
            : [];

    /// <summary>The connected coach's name as this event's memberships give it (Calendly's current name for them).</summary>
    private static string? HostName(JsonElement payload, IReadOnlyDictionary<string, long?> coachesByUri, long coachId) =>
        payload.GetProperty("scheduled_event").GetProperty("event_memberships").EnumerateArray()
            .Where(member => Text(member, "user") is { } uri && coachesByUri.GetValueOrDefault(CanonicalUri(uri)) == coachId)
            .Select(member => UserProvisioning.PersonName(Text(member, "user_name")))
            .FirstOrDefault(name => name is not null);

    // Realtors read the coach by the name Calendly has for them now; the same name again writes nothing.
    private const string HostNameSql = """
        update calendly_integrations set calendly_name = @Name
        where user_id = @CoachId and calendly_name is distinct from @Name
        """;

    private static string? Owner(JsonElement payload) => Text(payload, "profile", "owner") is { } owner ? CanonicalUri(owner) : null;

    private static string CanonicalUri(string uri) => uri.TrimEnd('/');

    /// <summary>
    /// A batch's writes, in the order of its events, sent as one command (<see cref="StatementBatch"/>). Bookings in a
    /// row are one statement for all of them (<see cref="BookedSql"/>): a burst of bookings is one upsert per batch
    /// rather than one per event, and its text is the same from batch to batch, so PostgreSQL plans it once a
    /// connection. A booking that must see one before it (the same invitee again, or the invitee it replaces) starts a
    /// new statement, as does any other write.
    /// </summary>
    public sealed class Writes
    {
        private readonly StatementBatch _statements = new();
        private readonly List<SessionFields> _bookings = [];
        private readonly HashSet<string> _bookedInvitees = [];

        internal void Book(SessionFields session)
        {
            if (_bookedInvitees.Contains(session.InviteeUri) || (session.OldInvitee is { } old && _bookedInvitees.Contains(old)))
                FlushBookings();
            _bookings.Add(session);
            _bookedInvitees.Add(session.InviteeUri);
        }

        public void Add(string sql, object parameters)
        {
            FlushBookings();
            _statements.Add(sql, parameters);
        }

        public Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
        {
            FlushBookings();
            return _statements.ExecuteAsync(connection, transaction, ct);
        }

        private void FlushBookings()
        {
            if (_bookings.Count == 0) return;
            _statements.Add(BookedSql, new
            {
                CoachIds = _bookings.Select(b => b.CoachId).ToArray(),
                EventUris = _bookings.Select(b => b.EventUri).ToArray(),
                InviteeUris = _bookings.Select(b => b.InviteeUri).ToArray(),
                EventTypeUris = _bookings.Select(b => b.EventTypeUri).ToArray(),
                EventNames = _bookings.Select(b => b.EventName).ToArray(),
                InviteeNames = _bookings.Select(b => b.InviteeName).ToArray(),
                InviteeEmails = _bookings.Select(b => b.InviteeEmail).ToArray(),
                // Npgsql writes timestamptz from UTC values only.
                StartTimes = _bookings.Select(b => b.StartTime.ToUniversalTime()).ToArray(),
                EndTimes = _bookings.Select(b => b.EndTime.ToUniversalTime()).ToArray(),
                CancelUrls = _bookings.Select(b => b.CancelUrl).ToArray(),
                RescheduleUrls = _bookings.Select(b => b.RescheduleUrl).ToArray(),
                BookingReferences = _bookings.Select(b => b.BookingReference).ToArray(),
                OldInvitees = _bookings.Select(b => b.OldInvitee).ToArray(),
            });
            _bookings.Clear();
            _bookedInvitees.Clear();
        }
    }

    // The realtor who booked, found inside each upsert (no round trip of its own): the widget's opaque utm_content
    // reference, else a realtor with the invitee's email, else (a reschedule) whoever booked the invitee it replaces.
    private static string Realtor(string bookingReference, string inviteeEmail, string oldInvitee) => $"""
        coalesce(
            (select id from users where booking_ref = {bookingReference}),
            (select id from users where role = 'realtor' and lower(email) = lower({inviteeEmail}) order by id limit 1),
            (select realtor_id from sessions where invitee_uri = {oldInvitee}))
        """;

    // Bookings as arrays, a row each.
    private static readonly string BookedSql = $"""
        insert into sessions (coach_id, realtor_id, scheduled_event_uri, invitee_uri, event_type_uri, event_name, invitee_name,
                              invitee_email, start_time, end_time, status, cancel_url, reschedule_url, source)
        select b.coach_id, {Realtor("b.booking_reference", "b.invitee_email", "b.old_invitee")},
               b.event_uri, b.invitee_uri, b.event_type_uri, b.event_name, b.invitee_name, b.invitee_email,
               b.start_time, b.end_time, 'active', b.cancel_url, b.reschedule_url, 'webhook'
        from unnest(@CoachIds::bigint[], @EventUris::text[], @InviteeUris::text[], @EventTypeUris::text[], @EventNames::text[],
                    @InviteeNames::text[], @InviteeEmails::text[], @StartTimes::timestamptz[], @EndTimes::timestamptz[],
                    @CancelUrls::text[], @RescheduleUrls::text[], @BookingReferences::text[], @OldInvitees::text[])
             as b(coach_id, event_uri, invitee_uri, event_type_uri, event_name, invitee_name, invitee_email, start_time, end_time,
                  cancel_url, reschedule_url, booking_reference, old_invitee)
        on conflict (invitee_uri) do update set
            realtor_id = coalesce(sessions.realtor_id, excluded.realtor_id),
            start_time = excluded.start_time, end_time = excluded.end_time,
            cancel_url = coalesce(excluded.cancel_url, sessions.cancel_url),
            reschedule_url = coalesce(excluded.reschedule_url, sessions.reschedule_url),
            updated_at = now()
        -- The same booking again (a redelivery, a back-filled copy, an operator's replay) changes nothing, not even updated_at.
        where (sessions.realtor_id, sessions.start_time, sessions.end_time, sessions.cancel_url, sessions.reschedule_url)
              is distinct from (coalesce(sessions.realtor_id, excluded.realtor_id), excluded.start_time, excluded.end_time,
                                coalesce(excluded.cancel_url, sessions.cancel_url), coalesce(excluded.reschedule_url, sessions.reschedule_url))
        """;

    /// <summary>
    /// A booking. A reschedule arrives as a new invitee with old_invitee set: the new session inherits the realtor of
    /// the old one, which its invitee.canceled (rescheduled: true) marks as rescheduled rather than canceled.
    /// </summary>
    private static void Booked(long coachId, JsonElement payload, Writes writes)
    {
        var session = SessionOf(coachId, payload);
        writes.Book(session);
        if (session.OldInvitee is not null) MarkRescheduled(session.OldInvitee, session.InviteeUri, writes);
    }

    private static readonly string CanceledSql = $"""
        insert into sessions (coach_id, realtor_id, scheduled_event_uri, invitee_uri, event_type_uri, event_name, invitee_name,
                              invitee_email, start_time, end_time, status, cancel_url, reschedule_url, canceled_at,
                              cancel_reason, canceler_type, source)
        values (@CoachId, {Realtor("@BookingReference", "@InviteeEmail", "@OldInvitee")}, @EventUri, @InviteeUri, @EventTypeUri, @EventName, @InviteeName, @InviteeEmail,
                @StartTime, @EndTime, 'canceled', @CancelUrl, @RescheduleUrl, @CanceledAt, @Reason, @CancelerType, 'webhook')
        on conflict (invitee_uri) do update set
            status = case when sessions.status = 'rescheduled' then sessions.status else 'canceled' end,
            canceled_at = coalesce(sessions.canceled_at, excluded.canceled_at),
            cancel_reason = coalesce(sessions.cancel_reason, excluded.cancel_reason),
            canceler_type = coalesce(sessions.canceler_type, excluded.canceler_type),
            updated_at = now()
        """;

    private static void Canceled(long coachId, JsonElement payload, Writes writes)
    {
        if (payload.TryGetProperty("rescheduled", out var rescheduled) && rescheduled.ValueKind == JsonValueKind.True)
        {
            // Not a cancellation: the booking moved. Its invitee.created (with old_invitee) carries the new session.
            if (Text(payload, "new_invitee") is { } newInvitee) MarkRescheduled(Text(payload, "uri")!, newInvitee, writes);
            return;
        }
        writes.Add(CanceledSql, SessionOf(coachId, payload));
    }

    /// <summary>
    /// The session row an invitee payload describes (the cancellation fields stay null for a booking), and what finds
    /// its realtor (<see cref="Realtor"/>).
    /// </summary>
    internal sealed record SessionFields(
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

    private static void MarkRescheduled(string oldInvitee, string newInvitee, Writes writes) =>
        writes.Add("""
            update sessions set status = 'rescheduled', rescheduled_to = @NewInvitee, updated_at = now()
            where invitee_uri = @OldInvitee
            """, new { OldInvitee = oldInvitee, NewInvitee = newInvitee });

    private static void NoShow(long coachId, JsonElement payload, string? noShowUri, Writes writes) =>
        writes.Add(SessionWrites.SetNoShowSql, new { CoachId = coachId, NoShowUri = noShowUri, InviteeUri = Text(payload, "uri") });

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
