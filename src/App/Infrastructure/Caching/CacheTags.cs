using System.Globalization;

namespace App.Infrastructure.Caching;

/// <summary>
/// Cache tags that more than one slice names: the slice that caches tags its entries with them, and every slice that
/// learns the data changed evicts by them (through <see cref="ClusterCache"/>, so every instance forgets).
/// </summary>
public static class CacheTags
{
    /// <summary>A coach's free times (and the event types behind them): a booking, cancellation, webhook or disconnect changes them.</summary>
    public static string FreeTimesOfCoach(long coachUserId) => FreeTimesPrefix + coachUserId.ToString(CultureInfo.InvariantCulture);

    /// <summary>The coach whose free times an evicted tag names, if it names any: such an eviction is how every instance learns they changed.</summary>
    public static long? CoachOfFreeTimes(string tag) =>
        tag.StartsWith(FreeTimesPrefix, StringComparison.Ordinal)
        && long.TryParse(tag.AsSpan(FreeTimesPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var coachUserId)
            ? coachUserId
            : null;

    private const string FreeTimesPrefix = "free-times:coach:";

    /// <summary>A coach's Calendly profile as the coach list shows it (name, event types): event type webhooks and a disconnect change it.</summary>
    public static string CoachProfile(long coachUserId) => $"coach:{coachUserId}";
}
