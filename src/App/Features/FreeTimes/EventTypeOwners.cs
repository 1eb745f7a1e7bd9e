using App.Infrastructure.Caching;
using ZiggyCreatures.Caching.Fusion;

namespace App.Features.FreeTimes;

// REVIEW: a table event_type_uri → coach, filled wherever event types are listed and by event_type.* webhooks,
// would replace the scan.
/// <summary>
/// Which connected coach hosts an event type, so that its free times are asked with that coach's token. Calendly only
/// shows an event type to members of its owner's organization, and coaches are separate accounts: no token answers
/// "whose is this?". So the owner is remembered from an earlier fetch of its free times (calendly_availability_cache
/// rows carry the coach) or found by listing connected coaches' event types, most recently active first, each
/// coach's list cached.
/// </summary>
public static class EventTypeOwners
{
    private const int ScanParallelism = 4;
    private const int MaxEventTypesPerCoach = 500;
    private static readonly TimeSpan OwnerKnownFor = TimeSpan.FromHours(1);
    // A coach may create the event type a minute later.
    internal static readonly TimeSpan OwnerUnknownFor = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan EventTypesFor = TimeSpan.FromMinutes(15);
    private static readonly FusionCacheEntryOptions OwnerOptions = new(OwnerKnownFor);

    private const string StoredOwnerSql = """
        select c.user_id, i.calendly_user_uri
        from calendly_availability_cache c
        join calendly_integrations i on i.user_id = c.user_id
        where c.data->>'eventTypeUri' = @EventTypeUri
        order by c.created_at desc
        limit 1
        """;

    private const string ActiveCoachesSql = """
        select user_id, calendly_user_uri from calendly_integrations
        where status = 'active'
        order by updated_at desc, id desc
        """;

    /// <summary>The coach hosting the event type, or null when no connected coach offers it.</summary>
    public static async Task<Coach?> FindAsync(string eventTypeUri, FreeTimesSources sources, CancellationToken ct) =>
        await sources.Cache.GetOrSetAsync<Coach?>($"free-times:owner:{eventTypeUri}", async (context, cancellation) =>
        {
            var coach = await StoredOwnerAsync(eventTypeUri, sources, cancellation) ?? await ScanAsync(eventTypeUri, sources, cancellation);
            if (coach is null) context.Options.Duration = OwnerUnknownFor;
            else context.Tags = [CacheTags.FreeTimesOfCoach(coach.UserId)];
            return coach;
        }, options: OwnerOptions, token: ct);

    /// <summary>The coach's active event types, in Calendly's order (by name).</summary>
    public static Task<IReadOnlyList<OfferedEventType>> ListAsync(Coach coach, FreeTimesSources sources, CancellationToken ct) =>
        ListAsync(coach, refresh: false, sources, ct);

    /// <summary>The coach's active event types as Calendly lists them now, cached for <see cref="ListAsync(Coach, FreeTimesSources, CancellationToken)"/>.</summary>
    public static Task<IReadOnlyList<OfferedEventType>> RefreshListAsync(Coach coach, FreeTimesSources sources, CancellationToken ct) =>
        ListAsync(coach, refresh: true, sources, ct);

    private static async Task<IReadOnlyList<OfferedEventType>> ListAsync(Coach coach, bool refresh, FreeTimesSources sources, CancellationToken ct) =>
        await sources.Cache.GetOrSetAsync<IReadOnlyList<OfferedEventType>>($"free-times:event-types:{coach.UserId}", async cancellation =>
        {
            var types = new List<OfferedEventType>();
            await foreach (var type in CalendlyClient.AllPagesAsync(pageToken => sources.Calendly.RunAsync(coach.UserId,
                               (client, accessToken) => client.ListEventTypesAsync(accessToken, coach.CalendlyUserUri, 100, pageToken, cancellation), cancellation),
                               MaxEventTypesPerCoach))
                types.Add(new OfferedEventType(type.Uri, type.Name, type.Duration));
            return types;
        }, options: new FusionCacheEntryOptions(EventTypesFor)
        {
            IsFailSafeEnabled = true,
            FailSafeMaxDuration = TimeSpan.FromDays(1),
            // A refresh skips the cached list, so FusionCache asks Calendly (and has no old list to fall back on).
            SkipMemoryCacheRead = refresh,
        },
        tags: [CacheTags.FreeTimesOfCoach(coach.UserId)], token: ct);

    private static async Task<Coach?> StoredOwnerAsync(string eventTypeUri, FreeTimesSources sources, CancellationToken ct)
    {
        await using var connection = await sources.Db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<Coach>(
            new CommandDefinition(StoredOwnerSql, new { EventTypeUri = eventTypeUri }, cancellationToken: ct));
    }

    /// <summary>
    /// Looks through the coaches a few at a time and stops at the first group that holds the owner. A coach whose list
    /// cannot be read may be the owner: if nobody else is, that failure is the answer, not "no such event type".
    /// </summary>
    private static async Task<Coach?> ScanAsync(string eventTypeUri, FreeTimesSources sources, CancellationToken ct)
    {
        IReadOnlyList<Coach> coaches;
        await using (var connection = await sources.Db.OpenConnectionAsync(ct))
            coaches = (await connection.QueryAsync<Coach>(new CommandDefinition(ActiveCoachesSql, cancellationToken: ct))).AsList();

        CalendlyException? unreadable = null;
        foreach (var group in coaches.Chunk(ScanParallelism))
        {
            var lists = await Task.WhenAll(group.Select(async coach =>
            {
                try
                {
                    return (Coach: coach, Types: await ListAsync(coach, sources, ct));
                }
                catch (CalendlyException e)
                {
                    unreadable ??= e;
                    return (Coach: coach, Types: (IReadOnlyList<OfferedEventType>)[]);
                }
            }));
            if (lists.FirstOrDefault(list => list.Types.Any(type => type.Uri == eventTypeUri)).Coach is { } owner) return owner;
        }
        if (unreadable is not null) throw unreadable;
        return null;
    }
}
