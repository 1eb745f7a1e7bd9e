using App.Infrastructure.Telemetry;

namespace App.Features.Operations;

/// <summary>
/// What only this process knows (its Calendly calls, its free-times lookups), as one sample per minute for the last
/// hour: a ring of 60, filled from <see cref="CalendlyMetrics"/>' running totals. It lives and dies with the process,
/// which is why the page labels those charts with the instance.
/// </summary>
public sealed class ProcessSamples(CalendlyMetrics metrics, TimeProvider clock)
{
    public const int Minutes = 60;

    /// <summary>One minute's counts; null where the process was not running yet.</summary>
    public sealed record Sample(long Calls, long CallErrors, long CallsRateLimited, long CacheHits, long CacheMisses, long CacheStale);

    private readonly Sample?[] _ring = new Sample?[Minutes];
    private readonly Lock _lock = new();
    private CalendlyMetrics.ProcessTotals _taken = metrics.Totals();
    private long _takenMinute = MinuteOf(clock.GetUtcNow());

    /// <summary>Closes the minutes that have passed since the last call (the sampler calls it each minute).</summary>
    public void Take() => Advance(MinuteOf(clock.GetUtcNow()));

    /// <summary>The last hour, oldest first; the last entry is the minute under way, counted so far.</summary>
    public IReadOnlyList<Sample?> LastHour()
    {
        var now = MinuteOf(clock.GetUtcNow());
        lock (_lock)
        {
            Advance(now);
            var current = Delta(metrics.Totals(), _taken);
            // Ring slot of minute m is m % 60; the hour ends with the current minute, which the ring does not hold yet.
            return [.. Enumerable.Range(1, Minutes - 1).Select(back => _ring[(now - Minutes + back) % Minutes]), current];
        }
    }

    private void Advance(long minute)
    {
        lock (_lock)
        {
            if (minute <= _takenMinute) return;
            var totals = metrics.Totals();
            // The minute that ended holds what happened since the last sample; any minutes skipped (a paused process) hold nothing.
            _ring[_takenMinute % Minutes] = Delta(totals, _taken);
            for (var skipped = _takenMinute + 1; skipped < minute && skipped < _takenMinute + Minutes; skipped++)
                _ring[skipped % Minutes] = new Sample(0, 0, 0, 0, 0, 0);
            _taken = totals;
            _takenMinute = minute;
        }
    }

    private static Sample Delta(CalendlyMetrics.ProcessTotals now, CalendlyMetrics.ProcessTotals then) => new(
        now.Calls - then.Calls, now.CallErrors - then.CallErrors, now.CallsRateLimited - then.CallsRateLimited,
        now.CacheHits - then.CacheHits, now.CacheMisses - then.CacheMisses, now.CacheStale - then.CacheStale);

    private static long MinuteOf(DateTimeOffset time) => time.ToUnixTimeSeconds() / 60;
}

/// <summary>Takes a sample at each minute, so that the ring is current even when nobody looks at the page for an hour.</summary>
public sealed class ProcessSampler(ProcessSamples samples, TimeProvider clock) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1), clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) samples.Take();
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
