using System.Text.Json;
using System.Threading.Channels;
using App.Infrastructure.Caching;
using App.Infrastructure.Database;

namespace App.Features.LiveUpdates;

/// <summary>
/// This instance's open streams, and what each is told. Every instance hears the same notifications on the one
/// listening connection it has anyway (<see cref="DatabaseNotificationListener"/>): a session's change from the table's
/// trigger (migration 0013), naming its coach and realtor; a coach's free times from the cache eviction that every
/// change of them already announces. A stream holds no database connection: it waits on its own queue in memory. It also
/// remembers for a while when each person's sessions and each coach's free times last changed, so that a stream opened
/// after its page was rendered first hears of what changed in between.
/// </summary>
public sealed class LiveUpdateHub : INotificationHandler
{
    public const string SessionChanges = "session_changes";

    // How long this instance remembers when each person's sessions and each coach's free times last changed, so that
    // a stream opened after its page can be told what changed in between; a page rendered longer ago is told everything.
    private static readonly TimeSpan Remembered = TimeSpan.FromMinutes(10);

    // The page may have been rendered by another instance, whose clock differs a little: an extra refresh costs little,
    // a missed change is not shown at all.
    private const long ClockMarginMilliseconds = 1000;

    private readonly Lock _gate = new();
    private readonly Dictionary<long, HashSet<Subscriber>> _byUser = [];
    private readonly Dictionary<long, HashSet<Subscriber>> _byCoach = [];
    private readonly Dictionary<long, long> _userChangedAt = [];
    private readonly Dictionary<long, long> _coachChangedAt = [];

    // Before this (Unix milliseconds) nothing is remembered: when listening began (at the start, and again after the
    // database connection was lost), or the last forgetting. Until listening begins, nothing is.
    private long _rememberedFrom = long.MaxValue;
    private long _nextForgetting = Now() + (long)Remembered.TotalMilliseconds;

    // Wall clock, as LiveEvents.Url stamps pages with: every instance compares against the same time.
    private static long Now() => TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();

    public IReadOnlyCollection<string> Channels { get; } = [SessionChanges, ClusterCache.Channel];

    /// <summary>
    /// A stream for <paramref name="userId"/>'s own sessions and the free times of <paramref name="coachIds"/>; dispose it
    /// to leave. With <paramref name="since"/> (when its page was rendered), what changed since is posted at once: the
    /// check and the joining are one step, so a change is either found here or told to the stream, never neither.
    /// </summary>
    public Subscriber Subscribe(long userId, IReadOnlyCollection<long> coachIds, long? since = null)
    {
        var subscriber = new Subscriber(this, userId, coachIds);
        lock (_gate)
        {
            Add(_byUser, userId, subscriber);
            foreach (var coachId in coachIds) Add(_byCoach, coachId, subscriber);
            if (since is { } renderedAt)
            {
                var after = renderedAt - ClockMarginMilliseconds;
                var unknown = after < _rememberedFrom;
                if (unknown || _userChangedAt.GetValueOrDefault(userId) >= after) subscriber.Post(PageEvents.SessionsChanged);
                foreach (var coachId in coachIds)
                    if (unknown || _coachChangedAt.GetValueOrDefault(coachId) >= after) subscriber.Post(LiveEvents.FreeTimesChanged(coachId));
            }
        }
        return subscriber;
    }

    private void Unsubscribe(Subscriber subscriber)
    {
        lock (_gate)
        {
            Remove(_byUser, subscriber.UserId, subscriber);
            foreach (var coachId in subscriber.CoachIds) Remove(_byCoach, coachId, subscriber);
        }
    }

    private sealed record SessionChange(long Coach, long? Realtor);

    public void Handle(string channel, string payload)
    {
        if (channel == SessionChanges)
        {
            var change = JsonSerializer.Deserialize<SessionChange>(payload, JsonSerializerOptions.Web)!;
            Tell(_byUser, _userChangedAt, change.Coach, PageEvents.SessionsChanged);
            if (change.Realtor is { } realtor) Tell(_byUser, _userChangedAt, realtor, PageEvents.SessionsChanged);
        }
        else if (CacheTags.CoachOfFreeTimes(payload) is { } coachId)
        {
            Tell(_byCoach, _coachChangedAt, coachId, LiveEvents.FreeTimesChanged(coachId));
        }
    }

    /// <summary>From now on every change is heard, and so remembered.</summary>
    public void Listening()
    {
        lock (_gate) _rememberedFrom = Now();
    }

    /// <summary>Changes may have been missed while the database was away: every stream is told everything it follows changed.</summary>
    public Task ResumeAsync(CancellationToken ct)
    {
        lock (_gate)
        {
            foreach (var subscriber in _byUser.Values.SelectMany(subscribers => subscribers))
            {
                subscriber.Post(PageEvents.SessionsChanged);
                foreach (var coachId in subscriber.CoachIds) subscriber.Post(LiveEvents.FreeTimesChanged(coachId));
            }
        }
        return Task.CompletedTask;
    }

    private void Tell(Dictionary<long, HashSet<Subscriber>> index, Dictionary<long, long> changedAt, long key, string eventName)
    {
        lock (_gate)
        {
            var now = Now();
            changedAt[key] = now;
            if (now >= _nextForgetting) Forget(now);
            if (!index.TryGetValue(key, out var subscribers)) return;
            foreach (var subscriber in subscribers) subscriber.Post(eventName);
        }
    }

    // Keeps what is remembered to the last Remembered: one entry per person or coach who changed in that time.
    private void Forget(long now)
    {
        var horizon = now - (long)Remembered.TotalMilliseconds;
        foreach (var changedAt in new[] { _userChangedAt, _coachChangedAt })
            foreach (var (key, at) in changedAt)
                if (at < horizon) changedAt.Remove(key);
        _rememberedFrom = Math.Max(_rememberedFrom, horizon);
        _nextForgetting = now + (long)Remembered.TotalMilliseconds / 10;
    }

    private static void Add(Dictionary<long, HashSet<Subscriber>> index, long key, Subscriber subscriber)
    {
        if (!index.TryGetValue(key, out var subscribers)) index[key] = subscribers = [];
        subscribers.Add(subscriber);
    }

    private static void Remove(Dictionary<long, HashSet<Subscriber>> index, long key, Subscriber subscriber)
    {
        if (index.TryGetValue(key, out var subscribers) && subscribers.Remove(subscriber) && subscribers.Count == 0) index.Remove(key);
    }

    /// <summary>
    /// One open stream's queue of event names. An event already waiting is not queued twice: each says "this changed,
    /// fetch it again", so a burst of changes costs a slow reader one refresh, and the queue never outgrows the
    /// events the stream follows.
    /// </summary>
    public sealed class Subscriber(LiveUpdateHub hub, long userId, IReadOnlyCollection<long> coachIds) : IDisposable
    {
        private readonly Channel<string> _events = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        private readonly HashSet<string> _waiting = [];

        public long UserId { get; } = userId;
        public IReadOnlyCollection<long> CoachIds { get; } = coachIds;

        internal void Post(string eventName)
        {
            lock (_waiting)
                if (_waiting.Add(eventName)) _events.Writer.TryWrite(eventName);
        }

        /// <summary>The next event, or null when none came within <paramref name="wait"/>.</summary>
        public async Task<string?> NextAsync(TimeSpan wait, CancellationToken ct)
        {
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(ct);
            waiting.CancelAfter(wait);
            try
            {
                var eventName = await _events.Reader.ReadAsync(waiting.Token);
                lock (_waiting) _waiting.Remove(eventName);
                return eventName;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return null;
            }
        }

        public void Dispose() => hub.Unsubscribe(this);
    }
}
