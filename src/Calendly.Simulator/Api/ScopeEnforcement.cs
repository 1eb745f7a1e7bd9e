using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.OAuth;

namespace Calendly.Simulator.Api;

/// <summary>
/// An API route's token must grant one of the scopes the route requires (<see cref="Scopes.RequiresScope{TBuilder}"/>);
/// otherwise Calendly's 403 Insufficient scope.
/// </summary>
public sealed class ScopeEnforcement(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (Caller.Of(context) is { } caller && context.GetEndpoint()?.Metadata.GetMetadata<ScopeRequirement>() is { } requirement
            && !requirement.AnyOf.Any(scope => Scopes.Grants(caller.Token.Scope, scope)))
        {
            await CalendlyErrors.InsufficientScope(requirement.AnyOf).ExecuteAsync(context);
            return;
        }
        await next(context);
    }
}
