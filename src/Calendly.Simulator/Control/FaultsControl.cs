using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.Traffic;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Control;

/// <summary>
/// POST /_sim/faults sets the rule for everyone, or for one user when "user" is given (an empty body clears every rule;
/// a body with only "user" clears that user's). GET lists the rules; DELETE [?user=] clears them.
/// </summary>
public static class FaultsControl
{
    private const int MaxDelayMs = 120_000;

    public sealed record FaultList(IReadOnlyList<FaultRule> Rules);

    public static void Map(RouteGroupBuilder control)
    {
        control.MapGet("/faults", (FaultRules faults) => List(faults));
        control.MapPost("/faults", SetAsync);
        control.MapDelete("/faults", (string? user, FaultRules faults) =>
        {
            faults.Clear(user is null ? null : ResourceUris.UserUuidOf(user));
            return List(faults);
        });
    }

    private static async Task<IResult> SetAsync(HttpRequest request, FaultRules faults, WorldStore world)
    {
        var (rule, error) = await RequestBody.ReadAsync<FaultRule>(request, RequestBody.ControlJson, request.HttpContext.RequestAborted);
        if (error is not null) return error;
        if (rule is null)
        {
            faults.Clear();
            return List(faults);
        }
        var details = Validate(rule);
        var userUuid = rule.User is null ? "" : ResourceUris.UserUuidOf(rule.User);
        if (rule.User is not null && !world.Locked(w => w.Users.ContainsKey(userUuid))) details.Add(new("user", "is not a known user"));
        if (details.Count > 0) return CalendlyErrors.InvalidArgument(details);

        if (rule with { User = null } == new FaultRule()) faults.Clear(userUuid);
        else faults.Set(userUuid, rule with { User = rule.User is null ? null : userUuid });
        return List(faults);
    }

    private static List<ErrorDetail> Validate(FaultRule rule)
    {
        var details = new List<ErrorDetail>();
        if (rule.LatencyMs is < 0 or > MaxDelayMs) details.Add(new("latencyMs", $"must be between 0 and {MaxDelayMs}"));
        if (rule.SlowBodyMs is < 0 or > MaxDelayMs) details.Add(new("slowBodyMs", $"must be between 0 and {MaxDelayMs}"));
        if (rule.ErrorRate is < 0 or > 1 || rule.ErrorRate is { } rate && double.IsNaN(rate)) details.Add(new("errorRate", "must be between 0 and 1"));
        if (rule.RateLimitPerMinute is < 0) details.Add(new("rateLimitPerMinute", "must be 0 or more"));
        if (rule.TokenTtlSeconds is < 1) details.Add(new("tokenTtlSeconds", "must be 1 or more"));
        if (rule.Endpoints is { } endpoints && endpoints.Any(e => e is null || !e.Contains('/')))
            details.Add(new("endpoints", "must be route templates such as \"/event_types\" or \"GET /scheduled_events/{uuid}\""));
        return details;
    }

    private static IResult List(FaultRules faults) => Results.Json(new FaultList(faults.All), RequestBody.ControlJson);
}
