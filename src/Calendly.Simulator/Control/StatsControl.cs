using Calendly.Simulator.Traffic;

namespace Calendly.Simulator.Control;

/// <summary>GET /_sim/stats: { "GET /event_types": { "200": 3, "429": 1 }, … }; DELETE /_sim/stats starts counting afresh.</summary>
public static class StatsControl
{
    public static void Map(RouteGroupBuilder control)
    {
        control.MapGet("/stats", (RequestStats stats) => Results.Json(stats.Snapshot()));
        control.MapDelete("/stats", (RequestStats stats) =>
        {
            stats.Clear();
            return Results.NoContent();
        });
    }
}
