using App.Infrastructure.Database;
using static App.Features.Scheduled.ScheduledModule;

namespace App.Features.Scheduled;

/// <summary>
/// Where sessions come from: a coach's (or admin's) own Calendly account, read with their token; a realtor's rows in
/// the sessions table, which bookings and webhooks fill. Both end up as <see cref="SessionItem"/>s.
/// </summary>
internal static class SessionItems
{
    // Invitees are read with the events, not lazily per row: the API promises them in every item, and each row's
    // no-show and reschedule controls need their URIs. Four reads at a time keep a 100-event page quick without
    // spending the coach's per-minute Calendly budget in one burst.
    private const int InviteeReadsAtOnce = 4;
    private const int MaxInviteesPerEvent = 500;

    public static async Task<SessionPage> ForCoachAsync(Filters filters, CurrentUser user, NpgsqlDataSource db, CalendlyCalls calls,
        CancellationToken ct)
    {
        var query = new CalendlyClient.ScheduledEventQuery(await HostedEvents.CalendlyUserUriAsync(db, user.Id, ct), filters.Status,
            MinStartTime: filters.MinStart, MaxStartTime: filters.MaxStart, Sort: filters.Descending ? "start_time:desc" : "start_time:asc",
            Count: filters.Count, PageToken: filters.PageToken);
        CalendlyPage<ScheduledEvent> page;
        try
        {
            page = await calls.RunAsync(user.Id, (client, accessToken) => client.ListScheduledEventsAsync(accessToken, query, ct), ct);
        }
        catch (CalendlyException e) when (e.Failure == CalendlyFailure.Rejected && filters.PageToken is not null)
        {
            // Every other parameter was checked before the call, so what Calendly rejects is the page token.
            throw InvalidPageToken();
        }
        var invitees = new IReadOnlyList<Invitee>[page.Collection.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, invitees.Length),
            new ParallelOptions { MaxDegreeOfParallelism = InviteeReadsAtOnce, CancellationToken = ct },
            async (i, cancellation) => invitees[i] = await InviteesAsync(page.Collection[i], user.Id, calls, cancellation));
        return new SessionPage([.. page.Collection.Select((scheduled, i) => FromCalendly(scheduled, invitees[i]))],
            page.Pagination?.NextPageToken);
    }

    public static async Task<(IReadOnlyList<SessionItem> Items, Keyset? Next)> ForRealtorAsync(Filters filters, Keyset? after,
        CurrentUser user, NpgsqlDataSource db, CancellationToken ct)
    {
        var rows = await BookingRowsAsync(filters.Descending ? DescendingSql : AscendingSql, new
        {
            UserId = user.Id, filters.Status, filters.MinStart, filters.MaxStart, EventUuid = (string?)null,
            AfterStart = after?.StartTime, AfterId = after?.Id, Take = filters.Count + 1,
        }, db, ct);
        var page = rows.Take(filters.Count).ToList();
        return ([.. page.Select(RealtorSessions.ToItem)], rows.Count > filters.Count ? new Keyset(page[^1].StartTime, page[^1].Id) : null);
    }

    /// <summary>The caller's items for one scheduled event: none when it is not theirs (or does not exist).</summary>
    public static async Task<IReadOnlyList<SessionItem>> OfEventAsync(string eventUuid, CurrentUser user, NpgsqlDataSource db,
        CalendlyCalls calls, CancellationToken ct)
    {
        if (user.IsRealtor)
        {
            var rows = await BookingRowsAsync(AscendingSql, new
            {
                UserId = user.Id, Status = (string?)null, MinStart = (DateTimeOffset?)null, MaxStart = (DateTimeOffset?)null,
                EventUuid = eventUuid, AfterStart = (DateTimeOffset?)null, AfterId = (long?)null, Take = MaxCount,
            }, db, ct);
            return [.. rows.Select(RealtorSessions.ToItem)];
        }
        var scheduled = await HostedEvents.FindAsync(calls, user.Id, await HostedEvents.CalendlyUserUriAsync(db, user.Id, ct), eventUuid, ct);
        return scheduled is null ? [] : [FromCalendly(scheduled, await InviteesAsync(scheduled, user.Id, calls, ct))];
    }

    public static async Task<IReadOnlyList<Invitee>> InviteesAsync(ScheduledEvent scheduled, long userId, CalendlyCalls calls,
        CancellationToken ct)
    {
        var uuid = CalendlyClient.UuidOf(scheduled.Uri);
        var invitees = new List<Invitee>();
        await foreach (var invitee in CalendlyClient.AllPagesAsync(
                           pageToken => calls.RunAsync(userId, (client, accessToken) => client.ListInviteesAsync(accessToken, uuid, MaxCount, pageToken, ct), ct),
                           MaxInviteesPerEvent))
            invitees.Add(invitee);
        return invitees;
    }

    public static SessionItem FromCalendly(ScheduledEvent scheduled, IReadOnlyList<Invitee> invitees)
    {
        var host = scheduled.EventMemberships.FirstOrDefault();
        return new SessionItem(CalendlyClient.UuidOf(scheduled.Uri), scheduled.Uri, scheduled.Name, scheduled.StartTime, scheduled.EndTime,
            scheduled.Status, new SessionCoach(host?.User, host?.UserName, host?.UserEmail, TimeZone: null),
            [.. invitees.Select(i => new SessionInvitee(i.Uri, i.Name, i.Email, i.Status, i.CancelUrl, i.RescheduleUrl, i.NoShow?.Uri, i.Rescheduled))],
            scheduled.InviteesCounter.Active, null, null,
            scheduled.Cancellation is { } c ? new SessionCancellation(c.CanceledBy, c.Reason, c.CancelerType, c.CreatedAt) : null);
    }

    // One row per invitee the realtor booked.
    private const string BookingsSql = RealtorSessions.SelectSql + """
        where s.realtor_id = @UserId
          and (@Status::text is null or (s.status = 'active') = (@Status::text = 'active'))
          and (@MinStart::timestamptz is null or s.start_time >= @MinStart::timestamptz)
          and (@MaxStart::timestamptz is null or s.start_time < @MaxStart::timestamptz)
          and (@EventUuid::text is null or substring(s.scheduled_event_uri from '[^/]*$') = @EventUuid::text)
        """;

    // Keyset pagination on (start_time, id): stable while rows are added, and each row appears once.
    private const string AscendingSql = BookingsSql + """

          and (@AfterStart::timestamptz is null or (s.start_time, s.id) > (@AfterStart::timestamptz, @AfterId::bigint))
        order by s.start_time, s.id
        limit @Take
        """;

    private const string DescendingSql = BookingsSql + """

          and (@AfterStart::timestamptz is null or (s.start_time, s.id) < (@AfterStart::timestamptz, @AfterId::bigint))
        order by s.start_time desc, s.id desc
        limit @Take
        """;

    private static async Task<IReadOnlyList<RealtorSessions.Row>> BookingRowsAsync(string sql, object parameters, NpgsqlDataSource db,
        CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<RealtorSessions.Row>(new CommandDefinition(sql, parameters, cancellationToken: ct))).AsList();
    }

}
