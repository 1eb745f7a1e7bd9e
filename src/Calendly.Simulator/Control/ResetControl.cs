using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.OAuth;
using Calendly.Simulator.Traffic;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Control;

/// <summary>
/// POST /_sim/reset: the seeded world again, with the real clock, no faults, no rate-limit history, no stats and the OAuth
/// clients' registered scopes. Tokens of seeded users survive (their uuids are the same in the new world), so a connected
/// app stays connected.
/// </summary>
public static class ResetControl
{
    public static void Map(RouteGroupBuilder control) => control.MapPost("/reset", Reset);

    private static IResult Reset(SimulatorClock clock, WorldStore world, TokenStore tokens, OAuthClients clients, FaultRules faults,
        RateLimiter limiter, RequestStats stats)
    {
        clock.Reset();
        world.Reset();
        tokens.KeepOnly(world.Locked(w => w.Users.Keys.ToHashSet()));
        clients.Reset();
        faults.Clear();
        limiter.Clear();
        stats.Clear();
        return Results.Json(new { reset = true, now = CalendlyJson.Timestamp(clock.GetUtcNow()) });
    }
}
