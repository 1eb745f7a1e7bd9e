using static App.Features.NativeBooking.NativeBookingModule;

namespace App.Features.NativeBooking;

/// <summary>The connected coach who hosts an event type, and the event type as Calendly describes it now (its questions, its location).</summary>
internal sealed record BookingHost(long CoachId, string CalendlyUserUri, EventType EventType);

// REVIEW: FreeTimes' EventTypeOwners answers the same question for free times; a table event_type_uri → coach, filled
// wherever event types are read, would serve both and replace both scans.
/// <summary>
/// Whose event type a realtor books. No token answers "whose is this?" (Calendly shows an event type only inside its
/// owner's organization, and coaches are separate accounts), so: the coach whose free times of it the app fetched last
/// (the grid or free-times answer the realtor books from has just done so), else each connected coach in turn.
/// </summary>
internal static class BookingHosts
{
    private const int ScanParallelism = 4;

    private sealed record Candidate(long CoachId, string? CalendlyUserUri);

    // FreeTimes keeps what it fetched in calendly_availability_cache, the event type in data. A null calendly_user_uri: the
    // coach has disconnected since.
    private const string KnownHostSql = """
        select c.user_id as coach_id, i.calendly_user_uri
        from calendly_availability_cache c
        left join calendly_integrations i on i.user_id = c.user_id
        where c.data->>'eventTypeUri' = @EventTypeUri
        order by c.created_at desc
        limit 1
        """;

    private const string ConnectedCoachesSql = """
        select user_id as coach_id, calendly_user_uri from calendly_integrations
        where status = 'active' and user_id <> @KnownCoachId
        order by updated_at desc, id desc
        """;

    /// <summary>
    /// The host, or null when no connected coach offers the event type. A known host that is no longer connected, or must
    /// reconnect, is Calendly's 409 as everywhere (CalendlyCalls says so).
    /// </summary>
    public static async Task<BookingHost?> FindAsync(string eventTypeUri, BookingServices services, CancellationToken ct)
    {
        Candidate? known;
        await using (var connection = await services.Db.OpenConnectionAsync(ct))
            known = await connection.QuerySingleOrDefaultAsync<Candidate>(
                new CommandDefinition(KnownHostSql, new { EventTypeUri = eventTypeUri }, cancellationToken: ct));
        if (known is not null && await ReadAsync(known, eventTypeUri, services, ct) is { } host) return host;
        return await ScanAsync(eventTypeUri, known?.CoachId ?? 0, services, ct);
    }

    /// <summary>
    /// Looks through the connected coaches a few at a time. A coach who could not be asked may be the host: if nobody else
    /// is, that failure is the answer rather than "not offered".
    /// </summary>
    private static async Task<BookingHost?> ScanAsync(string eventTypeUri, long knownCoachId, BookingServices services, CancellationToken ct)
    {
        IReadOnlyList<Candidate> coaches;
        await using (var connection = await services.Db.OpenConnectionAsync(ct))
            coaches = (await connection.QueryAsync<Candidate>(new CommandDefinition(ConnectedCoachesSql, new { KnownCoachId = knownCoachId },
                cancellationToken: ct))).AsList();
        CalendlyException? unreadable = null;
        foreach (var group in coaches.Chunk(ScanParallelism))
        {
            var hosts = await Task.WhenAll(group.Select(async coach =>
            {
                try
                {
                    return await ReadAsync(coach, eventTypeUri, services, ct);
                }
                catch (CalendlyException e)
                {
                    unreadable ??= e;
                    return null;
                }
            }));
            if (hosts.FirstOrDefault(host => host is not null) is { } found) return found;
        }
        if (unreadable is not null) throw unreadable;
        return null;
    }

    /// <summary>The event type read with the coach's token, when it is theirs; null when Calendly shows them no such event type.</summary>
    private static async Task<BookingHost?> ReadAsync(Candidate coach, string eventTypeUri, BookingServices services, CancellationToken ct)
    {
        EventType type;
        try
        {
            type = await services.Calls.RunAsync(coach.CoachId,
                (client, accessToken) => client.GetEventTypeAsync(accessToken, CalendlyClient.UuidOf(eventTypeUri), ct), ct);
        }
        catch (CalendlyException e) when (e.Failure is CalendlyFailure.NotFound or CalendlyFailure.Forbidden)
        {
            return null;
        }
        return coach.CalendlyUserUri is { } calendlyUserUri && type.Profile?.Owner?.TrimEnd('/') == calendlyUserUri.TrimEnd('/')
            ? new BookingHost(coach.CoachId, calendlyUserUri, type)
            : null;
    }
}
