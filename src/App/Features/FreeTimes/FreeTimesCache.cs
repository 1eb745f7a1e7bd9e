using App.Infrastructure.Caching;
using System.Text.Json;
using System.Text.Json.Serialization;
using ZiggyCreatures.Caching.Fusion;

namespace App.Features.FreeTimes;

/// <summary>
/// An event type's free times, read through FusionCache in front of Calendly's /event_type_available_times: one upstream
/// fetch per key however many ask at once, the last value served when a refresh is slow or fails, and the
/// calendly_availability_cache table as the copy that survives restarts.
/// </summary>
public static class FreeTimesCache
{
    public static readonly TimeSpan FreshFor = TimeSpan.FromMinutes(5);

    // After a failure, how long the last good value is served before Calendly is asked again.
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(30);

    // Keys cover whole quarter hours, so requests made with "now" share them; every zone's midnight is on a quarter
    // hour, so a week of local days still fits one Calendly call.
    private static readonly TimeSpan KeyGranularity = TimeSpan.FromMinutes(15);

    // Calendly refuses a start_time in the past; a minute's margin covers our clock running behind theirs.
    private static readonly TimeSpan PastStartMargin = TimeSpan.FromMinutes(1);

    // What one fetch found, as cached and as stored in calendly_availability_cache.data. Stale: served because Calendly failed.
    public sealed record Snapshot(string EventTypeUri, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, DateTimeOffset FetchedAt,
        FreeTimeSlot[] Slots)
    {
        [JsonIgnore] public bool Stale { get; init; }

        // Made once per fetch rather than once per request: serializing the slots was most of what answering a cached
        // request cost (BENCHMARKS.md).
        [JsonIgnore]
        public SerializedSlots SlotsJson => field ??= SerializedSlots.Of(Slots);
    }

    private static readonly JsonSerializerOptions SnapshotJson = new(JsonSerializerDefaults.Web);

    public static async Task<FreeTimeSlots> GetAsync(long coachUserId, string eventTypeUri, DateTimeOffset start, DateTimeOffset end,
        FreeTimesSources sources, CancellationToken ct) =>
        (await ReadAsync(coachUserId, eventTypeUri, start, end, refresh: false, sources, ct))!;

    /// <summary>
    /// The free times of an event type of whichever connected coach offers it (<see cref="EventTypeOwners"/>), or null
    /// when none does. A cached answer is found by the event type alone: the owner is looked up only to fetch.
    /// </summary>
    public static Task<FreeTimeSlots?> GetAsync(string eventTypeUri, DateTimeOffset start, DateTimeOffset end, FreeTimesSources sources,
        CancellationToken ct) =>
        ReadAsync(null, eventTypeUri, start, end, refresh: false, sources, ct);

    /// <summary>
    /// Asks Calendly now, whatever the cache holds, and stores the answer under the key <see cref="GetAsync"/> reads for
    /// the same window. A failure is thrown rather than answered with the last good value, which stays cached as it was.
    /// </summary>
    public static async Task<FreeTimeSlots> RefreshAsync(long coachUserId, string eventTypeUri, DateTimeOffset start, DateTimeOffset end,
        FreeTimesSources sources, CancellationToken ct) =>
        (await ReadAsync(coachUserId, eventTypeUri, start, end, refresh: true, sources, ct))!;

    // Null only when the coach is not given and no connected coach offers the event type.
    private static async Task<FreeTimeSlots?> ReadAsync(long? coachUserId, string eventTypeUri, DateTimeOffset start, DateTimeOffset end,
        bool refresh, FreeTimesSources sources, CancellationToken ct)
    {
        var now = sources.Clock.GetUtcNow();
        var from = start > now ? start : now;
        // Nothing in the past is free; Calendly would refuse the question anyway.
        if (end <= from)
            return coachUserId is null && await EventTypeOwners.FindAsync(eventTypeUri, sources, ct) is null ? null : new FreeTimeSlots([], false, now);

        var key = Key(eventTypeUri, Floor(from), Ceiling(end));
        // A fresh entry, short of its eager refresh, is the answer as it is: read without the factory (whose closure and
        // delegate every GetOrSetAsync call allocates), since FusionCache would have nothing to do for it either.
        if (!refresh && sources.Cache.TryGet<Snapshot?>(key, token: ct) is { HasValue: true, Value: { Stale: false } hit }
            && now - hit.FetchedAt < FreshFor * EntryOptions.EagerRefreshThreshold!.Value)
            return Slice(hit, from, end, now, fetched: false, refresh, sources);
        var snapshot = await GetOrFetchAsync(key, coachUserId, eventTypeUri, from, end, refresh, sources, ct);
        return snapshot.Value is null ? null : Slice(snapshot.Value, from, end, now, snapshot.Fetched, refresh, sources);
    }

    private static string Key(string eventTypeUri, DateTimeOffset windowStart, DateTimeOffset windowEnd) =>
        $"free-times:{eventTypeUri}:{windowStart.ToUnixTimeSeconds()}-{windowEnd.ToUnixTimeSeconds()}";

    private static async Task<(Snapshot? Value, bool Fetched)> GetOrFetchAsync(string key, long? coachUserId, string eventTypeUri,
        DateTimeOffset from, DateTimeOffset end, bool refresh, FreeTimesSources sources, CancellationToken ct)
    {
        var (windowStart, windowEnd) = (Floor(from), Ceiling(end));
        var fetched = false;
        var snapshot = await sources.Cache.GetOrSetAsync<Snapshot?>(key,
            (context, cancellation) =>
            {
                fetched = true;
                return FetchOrFallBackAsync(context, key, coachUserId, eventTypeUri, windowStart, windowEnd, refresh, sources, cancellation);
            },
            options: refresh ? RefreshOptions : EntryOptions,
            token: ct);
        return (snapshot, fetched);
    }

    // The slots from `from` to `end` of a snapshot: in time order, so a run of them.
    private static FreeTimeSlots Slice(Snapshot snapshot, DateTimeOffset from, DateTimeOffset end, DateTimeOffset now, bool fetched,
        bool refresh, FreeTimesSources sources)
    {
        var first = CountBefore(snapshot.Slots, from);
        var count = CountBefore(snapshot.Slots, end) - first;
        // A value FusionCache hands back after a soft timeout is the expired one, and its age gives it away; one evicted
        // early by a tag goes out unflagged until the background refresh lands.
        var stale = snapshot.Stale || now - snapshot.FetchedAt >= FreshFor;
        // A refresh (the sync fetching ahead) is not a lookup.
        if (!refresh) sources.Metrics.FreeTimesLookup(fetched, stale);
        return new FreeTimeSlots(new ArraySegment<FreeTimeSlot>(snapshot.Slots, first, count), stale, snapshot.FetchedAt)
        {
            Cached = new CachedSlots(snapshot.SlotsJson, first, count),
        };
    }

    private static int CountBefore(FreeTimeSlot[] slots, DateTimeOffset time)
    {
        var (low, high) = (0, slots.Length);
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (slots[middle].StartTime < time) low = middle + 1;
            else high = middle;
        }
        return low;
    }

    // FusionCache copies options before a factory changes them (context.Options), so one instance serves every call.
    private static readonly FusionCacheEntryOptions EntryOptions = new()
    {
        Duration = FreshFor,
        EagerRefreshThreshold = 0.8f,
        // Fail-safe keeps an expired value around, so a slow or failed refresh has something to serve.
        IsFailSafeEnabled = true,
        FailSafeMaxDuration = TimeSpan.FromDays(1),
        FailSafeThrottleDuration = RetryAfterFailure,
        // A refresh slower than this serves the expired value and finishes in the background.
        FactorySoftTimeout = TimeSpan.FromSeconds(2),
    };

    // Not reading the cached value makes FusionCache run the factory, and leaves no stale value to fall back on; the
    // refresher waits for Calendly instead of being served the old value after the soft timeout.
    private static readonly FusionCacheEntryOptions RefreshOptions = RefreshOf(EntryOptions);

    private static FusionCacheEntryOptions RefreshOf(FusionCacheEntryOptions entryOptions)
    {
        var options = entryOptions.Duplicate();
        options.SkipMemoryCacheRead = true;
        options.FactorySoftTimeout = Timeout.InfiniteTimeSpan;
        return options;
    }

    private static async Task<Snapshot?> FetchOrFallBackAsync(FusionCacheFactoryExecutionContext<Snapshot?> context, string key,
        long? coachUserIdGiven, string eventTypeUri, DateTimeOffset windowStart, DateTimeOffset windowEnd, bool refresh,
        FreeTimesSources sources, CancellationToken ct)
    {
        if ((coachUserIdGiven ?? (await EventTypeOwners.FindAsync(eventTypeUri, sources, ct))?.UserId) is not { } coachUserId)
        {
            context.Options.Duration = EventTypeOwners.OwnerUnknownFor;
            return null;
        }
        context.Tags = [CacheTags.FreeTimesOfCoach(coachUserId)];
        if (!refresh && context.HasStaleValue && context.StaleValue.Value is { Stale: true } known)
        {
            // A known outage (the last attempt failed): the next attempt goes on in the background and nobody waits for
            // it, so an outage costs one attempt per key per RetryAfterFailure, not a wait (up to the soft timeout) for
            // every request that arrives while one is made.
            _ = Task.Run(() => AttemptInBackgroundAsync(key, coachUserId, eventTypeUri, windowStart, windowEnd, sources), CancellationToken.None);
            context.Options.Duration = RetryAfterFailure;
            return known;
        }
        try
        {
            var snapshot = await FetchAsync(coachUserId, eventTypeUri, windowStart, windowEnd, sources, ct);
            await SaveAsync(coachUserId, snapshot, sources);
            return snapshot;
        }
        catch (CalendlyException e) when (!refresh && FallsBack(e.Failure))
        {
            // The factory serves the last good value itself (rather than rethrowing to FusionCache's fail-safe) so
            // that it goes out flagged stale, even when the entry was evicted early by a tag.
            var lastGood = context.HasStaleValue && context.StaleValue.Value is { } stale
                ? stale
                : await LoadLatestAsync(coachUserId, eventTypeUri, windowStart, windowEnd, sources, ct);
            if (lastGood is null) throw;
            Logger(sources).LogWarning("Serving free times of {EventType} fetched at {FetchedAt:u}: {Reason}", eventTypeUri,
                lastGood.FetchedAt, e.Message);
            context.Options.Duration = RetryAfterFailure;
            return lastGood with { Stale = true };
        }
    }

    // Calendly asked again during a known outage: a fresh answer replaces the stale one; a failure leaves it served.
    private static async Task AttemptInBackgroundAsync(string key, long coachUserId, string eventTypeUri, DateTimeOffset windowStart,
        DateTimeOffset windowEnd, FreeTimesSources sources)
    {
        try
        {
            var snapshot = await FetchAsync(coachUserId, eventTypeUri, windowStart, windowEnd, sources, CancellationToken.None);
            await SaveAsync(coachUserId, snapshot, sources);
            await sources.Cache.SetAsync<Snapshot?>(key, snapshot, EntryOptions, tags: [CacheTags.FreeTimesOfCoach(coachUserId)]);
        }
        catch (CalendlyException e) when (FallsBack(e.Failure))
        {
            Logger(sources).LogWarning("Still serving the last free times of {EventType}: {Reason}", eventTypeUri, e.Message);
        }
        catch (Exception e)
        {
            Logger(sources).LogError(e, "Asking Calendly again for the free times of {EventType} failed", eventTypeUri);
        }
    }


    // Failures after which the last good value is a better answer than an error.
    private static bool FallsBack(CalendlyFailure failure) => failure is CalendlyFailure.Unavailable or CalendlyFailure.RateLimited
        or CalendlyFailure.InvalidResponse or CalendlyFailure.Unauthorized or CalendlyFailure.ReconnectRequired;

    // One call per Calendly window, all at once; merged in time order, a slot on a boundary counted once.
    private static async Task<Snapshot> FetchAsync(long coachUserId, string eventTypeUri, DateTimeOffset windowStart,
        DateTimeOffset windowEnd, FreeTimesSources sources, CancellationToken ct)
    {
        var fetchedAt = sources.Clock.GetUtcNow();
        var from = windowStart > fetchedAt + PastStartMargin ? windowStart : fetchedAt + PastStartMargin;
        var chunks = new List<(DateTimeOffset Start, DateTimeOffset End)>();
        // Calendly answers at most CALENDLY_AVAILABILITY_WINDOW_DAYS per call (31 since 2026; it was 7).
        var chunk = TimeSpan.FromDays(sources.Options.AvailabilityWindowDays);
        for (var chunkStart = from; chunkStart < windowEnd; chunkStart += chunk)
        {
            var chunkEnd = chunkStart + chunk;
            chunks.Add((chunkStart, chunkEnd < windowEnd ? chunkEnd : windowEnd));
        }
        var pages = await Task.WhenAll(chunks.Select(chunk => sources.Calendly.RunAsync(coachUserId,
            (client, accessToken) => client.ListAvailableTimesAsync(accessToken, eventTypeUri, chunk.Start, chunk.End, ct), ct)));
        var slots = pages
            .SelectMany(page => page.Collection)
            .DistinctBy(time => time.StartTime)
            .OrderBy(time => time.StartTime)
            .Select(time => new FreeTimeSlot(time.StartTime, time.Status, time.InviteesRemaining, time.SchedulingUrl))
            .ToArray();
        // It covers everything from the moment of fetching: slots within the margin are never bookable anyway.
        return new Snapshot(eventTypeUri, windowStart > fetchedAt ? windowStart : fetchedAt, windowEnd, fetchedAt, slots);
    }

    // The table keeps the seed's shape: the key (event type, window, fetched at) lives in data, and an index on
    // data->>'eventTypeUri' (migration 0008) serves the look-ups by event type. A row whose window a newer fetch
    // covers, or which has ended, is of no further use.
    private const string SaveSql = """
        with superseded as (
            delete from calendly_availability_cache
            where user_id = @UserId
              and ((data->>'windowEnd')::timestamptz <= @FetchedAt
                   or (data->>'eventTypeUri' = @EventTypeUri
                       and (data->>'windowStart')::timestamptz >= @WindowStart
                       and (data->>'windowEnd')::timestamptz <= @WindowEnd))
        )
        insert into calendly_availability_cache (user_id, data, expires_at)
        values (@UserId, @Data::jsonb, @ExpiresAt)
        """;

    private const string LatestSql = """
        select data from calendly_availability_cache
        where user_id = @UserId
          and data->>'eventTypeUri' = @EventTypeUri
          and (data->>'windowStart')::timestamptz <= @WindowStart
          and (data->>'windowEnd')::timestamptz >= @WindowEnd
        order by created_at desc, id desc
        limit 1
        """;

    // Keeps the fetch for the next restart; a failure here must not cost the caller the fresh answer.
    private static async Task SaveAsync(long coachUserId, Snapshot snapshot, FreeTimesSources sources)
    {
        try
        {
            // Not the caller's token: a value worth caching is worth storing even if the caller has gone.
            await using var connection = await sources.Db.OpenConnectionAsync(CancellationToken.None);
            await connection.ExecuteAsync(new CommandDefinition(SaveSql, new
            {
                UserId = coachUserId,
                snapshot.EventTypeUri,
                snapshot.WindowStart,
                snapshot.WindowEnd,
                snapshot.FetchedAt,
                Data = JsonSerializer.Serialize(snapshot, SnapshotJson),
                ExpiresAt = snapshot.FetchedAt + FreshFor,
            }));
        }
        catch (NpgsqlException e)
        {
            Logger(sources).LogWarning(e, "Could not store the free times of {EventType} in calendly_availability_cache", snapshot.EventTypeUri);
        }
    }

    // The newest stored fetch covering the window, expired or not: after a restart it is all there is.
    private static async Task<Snapshot?> LoadLatestAsync(long coachUserId, string eventTypeUri, DateTimeOffset windowStart,
        DateTimeOffset windowEnd, FreeTimesSources sources, CancellationToken ct)
    {
        var now = sources.Clock.GetUtcNow();
        await using var connection = await sources.Db.OpenConnectionAsync(ct);
        var data = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(LatestSql, new
        {
            UserId = coachUserId,
            EventTypeUri = eventTypeUri,
            WindowStart = windowStart > now ? windowStart : now,
            WindowEnd = windowEnd,
        }, cancellationToken: ct));
        return data is null ? null : JsonSerializer.Deserialize<Snapshot>(data, SnapshotJson);
    }

    // Only warnings are logged here, so the logger is made when one is.
    private static ILogger Logger(FreeTimesSources sources) => sources.Loggers.CreateLogger(typeof(FreeTimesCache));

    private static DateTimeOffset Floor(DateTimeOffset time) =>
        new(time.UtcTicks - time.UtcTicks % KeyGranularity.Ticks, TimeSpan.Zero);

    private static DateTimeOffset Ceiling(DateTimeOffset time) =>
        time.UtcTicks % KeyGranularity.Ticks == 0 ? time.ToUniversalTime() : Floor(time) + KeyGranularity;
}
