using Microsoft.AspNetCore.Antiforgery;

namespace App.Infrastructure.Auth;

/// <summary>
/// Cross-site request forgery guard for everything a browser can be tricked into sending: a state-changing request
/// that rides on a session cookie, and any HTML form post (sign-in included), must carry the anti-forgery token.
/// The layout puts it in <c>hx-headers</c> for htmx and forms carry it as a hidden field. Requests that bring their
/// own bearer token are exempt: a forged cross-site request cannot set that header.
/// </summary>
public static class ForgeryProtection
{
    public static IApplicationBuilder UseForgeryProtection(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !HttpMethods.IsOptions(request.Method)
            && (AuthSetup.IsCookieAuthenticated(request) || (request.HasFormContentType && !AuthSetup.HasBearerHeader(request))))
        {
            // Throws AntiforgeryValidationException, which the error mapping answers with 400 antiforgery_failed.
            await context.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(context);
        }
        await next(context);
    });

    /// <summary>
    /// Gives every HTML response (error pages included, so this runs first) its anti-forgery cookie just before the
    /// headers go out: slices stream their output, so by the time the layout asks for the token the headers are gone.
    /// The one HTML page that is an /api route, the API reference, has no form (and forbids caching on its own).
    /// </summary>
    public static IApplicationBuilder UseAntiforgeryCookies(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            if (context.Response.ContentType?.StartsWith("text/html", StringComparison.Ordinal) == true && !Envelope.IsApiRequest(context.Request))
                context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
            return Task.CompletedTask;
        });
        return next(context);
    });
}
