using Calendly.Simulator.Api;
using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Traffic;

/// <summary>
/// Calendly's per-user limit (500 requests a minute on paid plans, 50 on the free plan, or a fault rule's own number),
/// with the X-RateLimit-* headers on every API answer; plus the optional limit over all users together.
/// </summary>
public sealed class RateLimiting(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, SimulatorSettings settings, RateLimiter limiter, FaultRules faults)
    {
        if (Caller.Of(context) is not { } caller)
        {
            await next(context);
            return;
        }
        if (settings.GlobalRequestsPerMinute is { } globalLimit && limiter.Take("*", globalLimit) is { Allowed: false } everyone)
        {
            everyone.WriteHeaders(context.Response);
            await CalendlyErrors.TooManyRequests().ExecuteAsync(context);
            return;
        }
        var limit = faults.For(caller.User.Uuid, context.Request.Method, RouteKey.Template(context))?.RateLimitPerMinute
                    ?? (caller.User.Plan.IsPaid() ? settings.PaidRequestsPerMinute : settings.FreeRequestsPerMinute);
        var decision = limiter.Take($"user:{caller.User.Uuid}", limit);
        decision.WriteHeaders(context.Response);
        if (!decision.Allowed)
        {
            await CalendlyErrors.TooManyRequests().ExecuteAsync(context);
            return;
        }
        await next(context);
    }
}
