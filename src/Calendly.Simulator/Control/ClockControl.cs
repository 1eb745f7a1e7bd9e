using Calendly.Simulator.Infrastructure;

namespace Calendly.Simulator.Control;

/// <summary>GET/POST /_sim/clock: the simulator's now, moved by {advanceSeconds} or set by {now}.</summary>
public static class ClockControl
{
    public sealed record ClockChange(double? AdvanceSeconds, DateTimeOffset? Now);

    public sealed record ClockState(string Now, double OffsetSeconds);

    public static void Map(RouteGroupBuilder control)
    {
        control.MapGet("/clock", (SimulatorClock clock) => State(clock));
        control.MapPost("/clock", ChangeAsync);
    }

    private static async Task<IResult> ChangeAsync(HttpRequest request, SimulatorClock clock)
    {
        var (body, error) = await RequestBody.ReadAsync<ClockChange>(request, RequestBody.ControlJson, request.HttpContext.RequestAborted);
        if (error is not null) return error;
        switch (body)
        {
            case { AdvanceSeconds: { } seconds, Now: null } when double.IsFinite(seconds):
                clock.Advance(TimeSpan.FromSeconds(seconds));
                break;
            case { Now: { } now, AdvanceSeconds: null }:
                clock.SetNow(now);
                break;
            default:
                return CalendlyErrors.InvalidArgument(null, "Send exactly one of advanceSeconds (a number) or now (an ISO 8601 timestamp).");
        }
        return State(clock);
    }

    private static IResult State(SimulatorClock clock) =>
        Results.Json(new ClockState(CalendlyJson.Timestamp(clock.GetUtcNow()), clock.Offset.TotalSeconds), RequestBody.ControlJson);
}
