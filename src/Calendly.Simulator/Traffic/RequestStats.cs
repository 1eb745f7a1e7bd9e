using System.Globalization;

namespace Calendly.Simulator.Traffic;

/// <summary>Request counts by "METHOD route-template", then by status code, for GET /_sim/stats.</summary>
public sealed class RequestStats
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Dictionary<int, int>> _counts = [];

    public void Record(string route, int status)
    {
        lock (_gate)
        {
            if (!_counts.TryGetValue(route, out var byStatus)) _counts[route] = byStatus = [];
            byStatus[status] = byStatus.GetValueOrDefault(status) + 1;
        }
    }

    public SortedDictionary<string, SortedDictionary<string, int>> Snapshot()
    {
        lock (_gate)
        {
            return new(_counts.ToDictionary(p => p.Key,
                p => new SortedDictionary<string, int>(p.Value.ToDictionary(s => s.Key.ToString(CultureInfo.InvariantCulture), s => s.Value))),
                StringComparer.Ordinal);
        }
    }

    public void Clear()
    {
        lock (_gate) _counts.Clear();
    }
}

/// <summary>Counts every request but the control endpoints', with the status it finally got (429s and injected faults included).</summary>
public sealed class StatsRecorder(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, RequestStats stats)
    {
        try
        {
            await next(context);
        }
        finally
        {
            if (!context.Request.Path.StartsWithSegments("/_sim"))
                stats.Record($"{context.Request.Method} {RouteKey.Template(context)}", context.Response.StatusCode);
        }
    }
}
