using System.Globalization;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Traffic;

/// <summary>
/// How many Scheduling API bookings (POST /invitees) one user may make per minute, hour and day; null = no limit in that
/// window. Written in settings as "10/min,50/h,100/day", or "none".
/// </summary>
public sealed record BookingLimit(int? PerMinute = null, int? PerHour = null, int? PerDay = null)
{
    // calendly-api.md §4.10 (2026-04-15): trial 5/day; paid below Enterprise 10/min + 50/h + 100/day; Enterprise 500/min.
    // Free's own limits (since 2026-11-03) are not published: the paid numbers until someone knows better.
    public static readonly BookingLimit Trial = new(PerDay: 5);
    public static readonly BookingLimit Paid = new(10, 50, 100);
    public static readonly BookingLimit Enterprise = new(PerMinute: 500);
    public static readonly BookingLimit Free = Paid;

    public static BookingLimit? Parse(string text)
    {
        if (text.Trim() == "none") return new BookingLimit();
        BookingLimit? limit = new();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (part.Split('/') is not [var number, var unit]
                || !int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1)
                return null;
            limit = unit switch
            {
                "min" when limit.PerMinute is null => limit with { PerMinute = count },
                "h" when limit.PerHour is null => limit with { PerHour = count },
                "day" when limit.PerDay is null => limit with { PerDay = count },
                _ => null,
            };
            if (limit is null) return null;
        }
        return limit;
    }

    public IReadOnlyList<RateWindow> Windows(string userUuid) =>
    [
        .. new (int? Limit, string Name, TimeSpan Window)[]
            {
                (PerMinute, "minute", TimeSpan.FromMinutes(1)), (PerHour, "hour", TimeSpan.FromHours(1)), (PerDay, "day", TimeSpan.FromDays(1)),
            }
            .Where(w => w.Limit is not null)
            .Select(w => new RateWindow($"bookings:{userUuid}:{w.Name}", w.Limit!.Value, w.Window)),
    ];
}

/// <summary>The booking budget of a user's plan, taken once per POST /invitees (whatever its outcome, like any rate limit).</summary>
public sealed class BookingBudget(SimulatorSettings settings, RateLimiter limiter)
{
    /// <summary>The decision for this request, or null when the user's plan sets no booking limit at all.</summary>
    public RateDecision? Take(User user)
    {
        var limit = user.Plan switch
        {
            Plan.Basic => settings.BookingLimitFree,
            Plan.Trial => settings.BookingLimitTrial,
            Plan.Enterprise => settings.BookingLimitEnterprise,
            _ => settings.BookingLimitPaid,
        };
        var windows = limit.Windows(user.Uuid);
        return windows.Count == 0 ? null : limiter.TakeAll(windows);
    }
}
