namespace Calendly.Simulator.Traffic;

public sealed record RateDecision(bool Allowed, int Limit, int Remaining, int ResetSeconds)
{
    /// <summary>Calendly sends these on every API response; Reset is seconds until the window resets, not an epoch.</summary>
    public void WriteHeaders(HttpResponse response)
    {
        response.Headers["X-RateLimit-Limit"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Remaining"] = Remaining.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Reset"] = ResetSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// Fixed one-minute windows per key (a user, a user's token requests, or everyone), timed by the simulator clock so that
/// /_sim/clock can end a window without waiting.
/// </summary>
public sealed class RateLimiter(TimeProvider clock)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (DateTimeOffset Start, int Used)> _windows = [];

    public RateDecision Take(string key, int limit)
    {
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            var (start, used) = _windows.TryGetValue(key, out var window) && now - window.Start < Window && now >= window.Start
                ? window
                : (now, 0);
            var allowed = used < limit;
            if (allowed) used++;
            _windows[key] = (start, used);
            var reset = (int)Math.Ceiling((start + Window - now).TotalSeconds);
            return new RateDecision(allowed, limit, Math.Max(limit - used, 0), Math.Max(reset, 1));
        }
    }

    public void Clear()
    {
        lock (_gate) _windows.Clear();
    }
}
