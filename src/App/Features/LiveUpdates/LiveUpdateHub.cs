using System.Text.Json;
using System.Threading.Channels;
using App.Infrastructure.Caching;
using App.Infrastructure.Database;

namespace App.Features.LiveUpdates;

/// <summary>
/// This instance's open streams, and what each is told. Every instance hears the same notifications on the one
/// listening connection it has anyway (<see cref="DatabaseNotificationListener"/>): a session's change from the table's
/// trigger (migration 0013), naming its coach and realtor; a coach's free times from the cache eviction that every
/// change of them already announces. A stream holds no database connection: it waits on its own queue in memory.
/// </summary>
public sealed class LiveUpdateHub : INotificationHandler
{
    public const string SessionChanges = "session_changes";

    private readonly Lock _gate = new();
    private readonly Dictionary<long, HashSet<Subscriber>> _byUser = [];
    private readonly Dictionary<long, HashSet<Subscriber>> _byCoach = [];

    public IReadOnlyCollection<string> Channels { get; } = [SessionChanges, ClusterCache.Channel];

    /// <summary>A stream for <paramref name="userId"/>'s own sessions and the free times of <paramref name="coachIds"/>; dispose it to leave.</summary>
    public Subscriber Subscribe(long userId, IReadOnlyCollection<long> coachIds)
    {
        var subscriber = new Subscriber(this, userId, coachIds);
        lock (_gate)
        {
            Add(_byUser, userId, subscriber);
            foreach (var coachId in coachIds) Add(_byCoach, coachId, subscriber);
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
            Tell(_byUser, change.Coach, PageEvents.SessionsChanged);
            if (change.Realtor is { } realtor) Tell(_byUser, realtor, PageEvents.SessionsChanged);
        }
        else if (CacheTags.CoachOfFreeTimes(payload) is { } coachId)
        {
            Tell(_byCoach, coachId, LiveEvents.FreeTimesChanged(coachId));
        }
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

    private void Tell(Dictionary<long, HashSet<Subscriber>> index, long key, string eventName)
    {
        lock (_gate)
        {
            if (!index.TryGetValue(key, out var subscribers)) return;
            foreach (var subscriber in subscribers) subscriber.Post(eventName);
        }
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
