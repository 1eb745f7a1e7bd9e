namespace App.Features.WebhookSubscriptions;

/// <summary>
/// Stores, as synthesized deliveries, the invitee changes a coach's webhooks did not bring: after a subscription had to be
/// (re)created, and on every health pass for coaches whose plan has no webhooks. The webhook processor applies them like
/// real deliveries; their dedupe keys make a second back-fill of the same change store nothing.
/// </summary>
public static class WebhookBackfill
{
    /// <summary>
    /// Calendly filters scheduled events by start time, not by when they changed. Invitees book and cancel only events
    /// that have not started, so a change made at time t is on an event starting after t: listing from now − 1 day finds
    /// every change of the last day and every change to an event that is upcoming or started within the day. Missed: a
    /// change to an event that started more than a day ago (an outage longer than a day, for a slot now past, or a late
    /// no-show mark; no-shows are not back-filled). Those touch only history.
    /// </summary>
    private static readonly TimeSpan Lookback = TimeSpan.FromDays(1);

    // Bounds one coach's pass: a coach has far fewer upcoming events than this.
    private const int MaxEvents = 1000;

    public static async Task<int> RunAsync(NpgsqlDataSource db, CalendlyCalls calls, long userId, string calendlyUserUri,
        DateTimeOffset since, TimeProvider clock, CancellationToken ct)
    {
        var stored = 0;
        var query = new CalendlyClient.ScheduledEventQuery(calendlyUserUri, MinStartTime: clock.GetUtcNow() - Lookback, Count: 100);
        await foreach (var scheduled in CalendlyClient.AllPagesAsync(pageToken =>
                           calls.RunAsync(userId, (c, accessToken) => c.ListScheduledEventsAsync(accessToken, query with { PageToken = pageToken }, ct), ct),
                           MaxEvents))
        {
            // A one-on-one event untouched since the cut-off has an untouched invitee: booking creates the event and
            // cancelling updates it. Group events gain invitees without a documented change to the event, so they are read.
            if (scheduled.InviteesCounter.Limit <= 1 && scheduled.UpdatedAt < since) continue;
            await foreach (var invitee in CalendlyClient.AllPagesAsync(pageToken =>
                               calls.RunAsync(userId, (c, accessToken) => c.ListInviteesAsync(accessToken, CalendlyClient.UuidOf(scheduled.Uri), 100, pageToken, ct), ct),
                               MaxEvents))
            {
                foreach (var (eventName, at) in Changes(invitee, since))
                {
                    var payload = CalendlyWebhookEvents.Synthesize(eventName, invitee, scheduled, at);
                    var key = CalendlyWebhookEvents.DedupeKey(eventName, invitee.Uri, IsoTime.Microseconds(at));
                    await using var connection = await db.OpenConnectionAsync(ct);
                    if (await CalendlyWebhookEvents.StoreAsync(connection, new(eventName, payload, key, calendlyUserUri, null), ct)) stored++;
                }
            }
        }
        return stored;
    }

    /// <summary>The deliveries Calendly would have sent for this invitee since the cut-off, oldest first.</summary>
    private static IEnumerable<(string EventName, DateTimeOffset At)> Changes(Invitee invitee, DateTimeOffset since)
    {
        if (invitee.CreatedAt >= since) yield return ("invitee.created", invitee.CreatedAt);
        if (invitee.Status == "canceled" && (invitee.Cancellation?.CreatedAt ?? invitee.UpdatedAt) is var canceledAt && canceledAt >= since)
            yield return ("invitee.canceled", canceledAt);
    }
}
