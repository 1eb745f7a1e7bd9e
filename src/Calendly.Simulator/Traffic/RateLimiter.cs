using System.Globalization;

namespace Calendly.Simulator.Traffic;

public sealed record RateDecision(bool Allowed, int Limit, int Remaining, int ResetSeconds)
{
    /// <summary>Calendly sends these on every API response; Reset is seconds until the window resets, not an epoch.</summary>
    public void WriteHeaders(HttpResponse response)
    {
        response.Headers["X-RateLimit-Limit"] = Limit.ToString(CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Remaining"] = Remaining.ToString(CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Reset"] = ResetSeconds.ToString(CultureInfo.InvariantCulture);
    }
}

/// <summary>One budget: at most Limit requests per fixed Window, counted under Key.</summary>
public sealed record RateWindow(string Key, int Limit, TimeSpan Window);

/// <summary>
/// Fixed windows per key (a user's minute, a user's bookings per hour, everyone's minute…), timed by the simulator clock
/// so that /_sim/clock can end a window without waiting.
/// </summary>
public sealed class RateLimiter(TimeProvider clock)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (DateTimeOffset Start, int Used)> _windows = [];

    public RateDecision Take(string key, int limit) => TakeAll([new RateWindow(key, limit, TimeSpan.FromMinutes(1))]);

    /// <summary>
    /// One request against several budgets at once: counted in all of them only if every one has room, so a refused
    /// request uses up nothing. The decision describes the budget that refused it, else the one with least room left.
    /// </summary>
    public RateDecision TakeAll(IReadOnlyList<RateWindow> budgets)
    {
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            var states = budgets.Select(b => (Budget: b, State: Current(b, now))).ToList();
            var refused = states.FirstOrDefault(s => s.State.Used >= s.Budget.Limit);
            if (refused.Budget is not null) return Decision(refused.Budget, refused.State, now, allowed: false);
            foreach (var (budget, (start, used)) in states) _windows[budget.Key] = (start, used + 1);
            var tightest = states.MinBy(s => s.Budget.Limit - s.State.Used - 1);
            return Decision(tightest.Budget, (tightest.State.Start, tightest.State.Used + 1), now, allowed: true);
        }
    }

    public void Clear()
    {
        lock (_gate) _windows.Clear();
    }

    private (DateTimeOffset Start, int Used) Current(RateWindow budget, DateTimeOffset now) =>
        _windows.TryGetValue(budget.Key, out var window) && now - window.Start < budget.Window && now >= window.Start ? window : (now, 0);

    private static RateDecision Decision(RateWindow budget, (DateTimeOffset Start, int Used) state, DateTimeOffset now, bool allowed)
    {
        var reset = (int)Math.Ceiling((state.Start + budget.Window - now).TotalSeconds);
        return new RateDecision(allowed, budget.Limit, Math.Max(budget.Limit - state.Used, 0), Math.Max(reset, 1));
    }
}
