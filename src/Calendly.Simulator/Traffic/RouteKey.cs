namespace Calendly.Simulator.Traffic;

public static class RouteKey
{
    /// <summary>The route template a request matched, e.g. "/scheduled_events/{uuid}"; stats and faults are keyed by it.</summary>
    public static string Template(HttpContext context)
    {
        var raw = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(unmatched)";
        return raw.StartsWith('/') || raw == "(unmatched)" ? raw : "/" + raw;
    }
}
