using Calendly.Simulator.Api;
using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.OAuth;

namespace Calendly.Simulator.Traffic;

/// <summary>
/// Applies the fault rule that covers a request to the API or the OAuth token endpoints: added latency, an outage (503),
/// random 500s, a body cut off mid-JSON, or a body that arrives slowly. The user is read from the bearer token even
/// when it is expired, so a user-scoped outage looks the same whatever the token.
/// </summary>
public sealed class FaultInjection(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, FaultRules faults, TokenStore tokens)
    {
        var userUuid = BearerAuthentication.TokenFrom(context.Request) is { } token ? tokens.Authenticate(token).Token?.UserUuid : null;
        var rule = EndpointKind.Of(context) is null ? null : faults.For(userUuid, context.Request.Method, RouteKey.Template(context));
        if (rule is null)
        {
            await next(context);
            return;
        }
        if (rule.LatencyMs is > 0) await Task.Delay(rule.LatencyMs.Value, context.RequestAborted);
        if (rule.Outage)
        {
            await CalendlyErrors.ServiceUnavailable().ExecuteAsync(context);
            return;
        }
        if (rule.ErrorRate is > 0 && Random.Shared.NextDouble() < rule.ErrorRate)
        {
            await CalendlyErrors.Internal().ExecuteAsync(context);
            return;
        }
        if (rule.MalformedJson || rule.SlowBodyMs is > 0) await RewriteBodyAsync(context, rule);
        else await next(context);
    }

    private async Task RewriteBodyAsync(HttpContext context, FaultRule rule)
    {
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }
        var body = buffer.ToArray();
        // Half of a JSON document is never valid JSON; an empty body becomes a lone "{".
        if (rule.MalformedJson && context.Response.StatusCode != StatusCodes.Status204NoContent)
            body = body.Length > 1 ? body[..(body.Length / 2)] : "{"u8.ToArray();
        context.Response.ContentLength = body.Length;
        if (rule.SlowBodyMs is not > 0)
        {
            await original.WriteAsync(body, context.RequestAborted);
            return;
        }
        // The headers and the first half leave at once; the rest only after the delay, like a stalled connection.
        await original.WriteAsync(body.AsMemory(0, body.Length / 2), context.RequestAborted);
        await original.FlushAsync(context.RequestAborted);
        await Task.Delay(rule.SlowBodyMs.Value, context.RequestAborted);
        await original.WriteAsync(body.AsMemory(body.Length / 2), context.RequestAborted);
    }
}
