using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.OAuth;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Api;

/// <summary>API routes need "Authorization: Bearer &lt;access token&gt;"; a missing, unknown or revoked token is a 401, an expired one too.</summary>
public sealed class BearerAuthentication(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, TokenStore tokens, WorldStore world)
    {
        if (EndpointKind.Of(context) is not { NeedsBearerToken: true })
        {
            await next(context);
            return;
        }
        var (check, token) = TokenFrom(context.Request) is { } value ? tokens.Authenticate(value) : (TokenCheck.Invalid, null);
        var caller = check == TokenCheck.Valid
            ? world.Locked(w => w.Users.TryGetValue(token!.UserUuid, out var user) ? new Caller(user, w.MembershipOf(user.Uuid), token) : null)
            : null;
        if (caller is null)
        {
            var failure = check == TokenCheck.Expired
                ? CalendlyErrors.Unauthenticated("The access token is expired")
                : CalendlyErrors.Unauthenticated();
            await failure.ExecuteAsync(context);
            return;
        }
        context.Items[typeof(Caller)] = caller;
        await next(context);
    }

    public static string? TokenFrom(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header["Bearer ".Length..].Trim() is { Length: > 0 } token
            ? token
            : null;
    }
}
