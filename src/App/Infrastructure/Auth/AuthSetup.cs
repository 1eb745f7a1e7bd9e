using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.IdentityModel.Tokens;

namespace App.Infrastructure.Auth;

/// <summary>
/// Two ways in, one user model. With AUTH_AUTHORITY set, bearer tokens (or Clerk's <c>__session</c> cookie) from that
/// OIDC issuer; without it, the development sign-in: a cookie from /dev/sign-in or a bearer token from /api/dev/token.
/// Either way a request with an <c>Authorization</c> header is judged by that header alone.
/// </summary>
public static class AuthSetup
{
    public const string Selector = "app";
    public const string Bearer = JwtBearerDefaults.AuthenticationScheme;
    public const string DevCookie = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string DevCookieName = "calendly_slices_session";
    public const string ClerkSessionCookie = "__session";
    public const string AntiforgeryHeader = "X-CSRF-TOKEN";

    public static IServiceCollection AddAppAuthentication(this IServiceCollection services, AuthOptions options)
    {
        var auth = services
            .AddAuthentication(Selector)
            .AddPolicyScheme(Selector, "Bearer header, else session cookie", o =>
                o.ForwardDefaultSelector = context =>
                    HasBearerHeader(context.Request) || !options.UsesDevSignIn ? Bearer : DevCookie)
            .AddJwtBearer(Bearer, o =>
            {
                o.MapInboundClaims = false;
                // Nothing reads the raw token back from the ticket; keeping it there cost every request a copy.
                o.SaveToken = false;
                o.Events = new JwtBearerEvents
                {
                    OnMessageReceived = context =>
                    {
                        // Clerk keeps the session token in a first-party cookie for page navigations.
                        if (!options.UsesDevSignIn && !HasBearerHeader(context.Request))
                            context.Token = context.Request.Cookies[ClerkSessionCookie];
                        return Task.CompletedTask;
                    },
                    OnTokenValidated = context =>
                    {
                        if (!options.UsesDevSignIn && options.Audience is null)
                            RequireAuthorizedParty(context, options.AuthorizedParties);
                        return Task.CompletedTask;
                    },
                    OnChallenge = context =>
                    {
                        if (options.UsesDevSignIn || Envelope.IsApiRequest(context.Request)) return Task.CompletedTask;
                        context.HandleResponse();
                        SendToSignIn(context.HttpContext, SignInUrl(options.SignInUrl!, context.Request));
                        return Task.CompletedTask;
                    },
                };
                if (options.UsesDevSignIn) return;
                o.Authority = options.Authority!.ToString();
                o.RequireHttpsMetadata = options.Authority.Scheme == "https";
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidateIssuer = true,
                    // Clerk session tokens carry no audience: then the authorized party (azp) is checked instead.
                    ValidateAudience = options.Audience is not null,
                    ValidAudience = options.Audience,
                    NameClaimType = "sub",
                    RoleClaimType = options.RoleClaim,
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
            });

        if (options.UsesDevSignIn)
        {
            services.AddSingleton<DevTokens>();
            services.AddOptions<JwtBearerOptions>(Bearer).Configure<DevTokens>((o, dev) => o.TokenValidationParameters = dev.ValidationParameters());
            auth.AddCookie(DevCookie, o =>
            {
                o.Cookie.Name = DevCookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = DevTokens.Lifetime;
                o.SlidingExpiration = true;
                o.LoginPath = "/dev/sign-in";
                o.Events.OnRedirectToLogin = context =>
                {
                    if (Envelope.IsApiRequest(context.Request)) context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    else SendToSignIn(context.HttpContext, context.RedirectUri);
                    return Task.CompletedTask;
                };
                o.Events.OnRedirectToAccessDenied = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return Task.CompletedTask;
                };
            });
        }

        services.AddAuthorization();
        services.Replace(ServiceDescriptor.Singleton<Microsoft.AspNetCore.Authorization.Policy.IPolicyEvaluator, SignedInPolicyEvaluator>());
        services.AddAntiforgery(o =>
        {
            o.HeaderName = AntiforgeryHeader;
            o.Cookie.Name = "calendly_slices_csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
            // Secure over https, which behind Fly's proxy the forwarded headers establish.
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        return services;
    }

    public static bool HasBearerHeader(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when the browser, not a program holding a token, vouches for the caller: forgeable cross-site.</summary>
    public static bool IsCookieAuthenticated(HttpRequest request) =>
        !HasBearerHeader(request)
        && (request.Cookies.ContainsKey(DevCookieName) || request.Cookies.ContainsKey(ClerkSessionCookie));

    private static void RequireAuthorizedParty(TokenValidatedContext context, IReadOnlyList<string> parties)
    {
        var azp = context.Principal?.FindFirst("azp")?.Value;
        if (azp is not null && !parties.Contains(azp.TrimEnd('/'), StringComparer.OrdinalIgnoreCase))
            context.Fail($"The token's authorized party '{azp}' is not one of AUTH_AUTHORIZED_PARTIES.");
    }

    private static string SignInUrl(Uri signIn, HttpRequest request)
    {
        var back = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{request.QueryString}";
        var separator = signIn.Query.Length > 0 ? "&" : "?";
        return $"{signIn}{separator}redirect_url={Uri.EscapeDataString(back)}";
    }

    /// <summary>Browsers follow a redirect; htmx needs <c>HX-Redirect</c> to leave the page instead of swapping it.</summary>
    private static void SendToSignIn(HttpContext context, string url)
    {
        if (context.Request.Headers.ContainsKey("HX-Request"))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers["HX-Redirect"] = url;
        }
        else
        {
            context.Response.Redirect(url);
        }
    }
}
