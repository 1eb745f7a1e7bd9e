using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using App.Infrastructure.Caching;
using App.Infrastructure.Security;

[assembly: PageNotice(App.Features.Connect.ConnectModule.ConnectedNotice, "Calendly is connected.")]
[assembly: PageNotice(App.Features.Connect.ConnectModule.ConnectedPartlyNotice,
    "Calendly is connected, but it did not grant everything: the connection card says what is off.")]
[assembly: PageNotice(App.Features.Connect.ConnectModule.DisconnectedNotice, "Calendly is disconnected.")]

namespace App.Features.Connect;

/// <summary>
/// Connecting a coach's Calendly account with OAuth 2.0 (authorization code + PKCE S256), and disconnecting it.
/// The state and the PKCE verifier travel in a short-lived cookie encrypted with Data Protection and bound to the
/// signed-in user, so any instance can finish a flow another one started and a tampered callback stores nothing.
/// </summary>
public sealed class ConnectModule : ICarterModule
{
    public const string CallbackPath = "/api/calendly/oauth/callback";
    public const string ConnectedNotice = "calendly-connected";
    public const string ConnectedPartlyNotice = "calendly-connected-partly";
    public const string DisconnectedNotice = "calendly-disconnected";
    private const string PendingCookie = "calendly_oauth_pending";
    private static readonly TimeSpan PendingLifetime = TimeSpan.FromMinutes(10);

    public sealed record PendingConnect(string State, string CodeVerifier, long UserId);

    public sealed record Disconnected(bool Connected);

    public sealed record ConnectProblem(string Title, string Message, bool CanRetry);

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var oauth = app.MapGroup("/api/calendly/oauth").RequireAuthorization();
        oauth.MapGet("/connect", StartConnect).AsBrowserRoute().RateLimited(RateLimits.OAuth);
        oauth.MapGet("/callback", CompleteConnect).AsBrowserRoute().RateLimited(RateLimits.OAuth);
        oauth.MapPost("/disconnect", Disconnect)
            .WithTags("Connect")
            .WithSummary("Revoke the coach's Calendly tokens and delete the connection.");
        // The connection card's form: htmx swaps the card, a plain post (no JavaScript) comes back to the dashboard.
        app.MapPost("/calendly/disconnect", DisconnectFromPage).RequireAuthorization().ExcludeFromDescription();
    }

    public static IResult StartConnect(HttpContext context, CurrentUser user, CalendlyOptions calendly, HostingOptions hosting,
        IDataProtectionProvider dataProtection)
    {
        if (user.IsRealtor) return Problem(403, new("Only coaches connect Calendly",
            "Realtors book with coaches who have connected their Calendly accounts; there is nothing to connect here.", false));

        var pending = new PendingConnect(RandomToken(), RandomToken(), user.Id);
        context.Response.Cookies.Append(PendingCookie, Protector(dataProtection).Protect(JsonSerializer.Serialize(pending), PendingLifetime),
            new CookieOptions
            {
                HttpOnly = true,
                // Lax: the callback is a top-level navigation back from Calendly, which Lax cookies accompany.
                SameSite = SameSiteMode.Lax,
                Secure = context.Request.IsHttps,
                Path = "/api/calendly/oauth",
                MaxAge = PendingLifetime,
            });
        var authorize = QueryHelpers.AddQueryString(new Uri(calendly.AuthBaseUrl, "oauth/authorize").ToString(), new Dictionary<string, string?>
        {
            ["client_id"] = calendly.ClientId,
            ["response_type"] = "code",
            ["redirect_uri"] = RedirectUri(hosting).ToString(),
            ["state"] = pending.State,
            ["code_challenge"] = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(pending.CodeVerifier))),
            ["code_challenge_method"] = "S256",
            ["scope"] = string.Join(' ', CalendlyScopes.Required),
        });
        return Results.Redirect(authorize);
    }

    public static async Task<IResult> CompleteConnect(HttpContext context, CurrentUser user, string? code, string? state, string? error,
        IDataProtectionProvider dataProtection, CalendlyClient calendly, CalendlyCalls calls, NpgsqlDataSource db, CalendlyTokens tokens,
        HostingOptions hosting, ClusterCache cache, ILogger<ConnectModule> logger, CancellationToken ct)
    {
        var pending = ReadPending(context, dataProtection);
        context.Response.Cookies.Delete(PendingCookie, new CookieOptions { Path = "/api/calendly/oauth" });
        if (pending is null || state is null || pending.UserId != user.Id
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(pending.State), Encoding.UTF8.GetBytes(state)))
            return Problem(400, new("This Calendly sign-in could not be verified",
                "The link was not started from this browser, was already used, or is older than ten minutes. Nothing was saved.", true));
        if (error is not null)
            return Problem(403, new("Calendly was not connected",
                error == "access_denied" ? "You chose Deny on Calendly's page, so nothing was connected." : $"Calendly answered: {error}.", true));
        if (string.IsNullOrEmpty(code))
            return Problem(400, new("Calendly sent no authorization code", "Nothing was saved. Try connecting again.", true));

        var granted = await calendly.ExchangeCodeAsync(code, RedirectUri(hosting), pending.CodeVerifier, ct);
        var scopes = CalendlyScopes.Parse(granted.Scope);
        // Without these realtors see nothing of the coach; anything less switches off only what needs it (the card says what).
        if (CalendlyScopes.MissingEssential(scopes) is { Count: > 0 } missing)
        {
            await RevokeQuietlyAsync(calendly, granted.AccessToken, logger);
            return Problem(403, new("Calendly did not grant what this app cannot work without",
                $"Calendly did not grant {string.Join(", ", missing)}: without it the app cannot read your account or show "
                + "realtors your event types and free times. In Calendly's developer console, tick these scopes for the app (apps created after "
                + "March 2026 have none until they are ticked), then connect again. Nothing was saved.", true));
        }
        var calendlyUser = await calendly.GetCurrentUserAsync(granted.AccessToken, ct);
        if (!await tokens.SaveConnectionAsync(user.Id, granted, calendlyUser, ct))
        {
            await RevokeQuietlyAsync(calendly, granted.RefreshToken, logger);
            return Problem(409, new("That Calendly account is connected to someone else",
                $"{calendlyUser.Email} is already connected to another user of this app. Disconnect it there first, "
                + "or connect a different Calendly account. Nothing was saved.", true));
        }
        await ForgetCachedCalendlyAsync(cache, user.Id);
        logger.LogInformation("User {UserId} connected Calendly account {CalendlyUser}", user.Id, calendlyUser.Uri);
        // Bookings should flow in at once, not at the next webhook health check, which repairs any failure here.
        try
        {
            await CalendlyWebhookSubscriptions.EnsureAsync(db, calls, hosting, user.Id, ct);
        }
        catch (CalendlyException e)
        {
            logger.LogWarning("Subscribing to the webhooks of user {UserId} failed; the health check will retry: {Reason}", user.Id, e.Message);
        }
        return Results.Redirect(PageNotices.Url(PageContributions.Home.Href,
            CalendlyScopes.Missing(scopes).Count == 0 ? ConnectedNotice : ConnectedPartlyNotice));
    }

    /// <summary>What revoking and deleting the connection needs, bound from the container in one parameter.</summary>
    public sealed record DisconnectSources(CalendlyTokens Tokens, CalendlyClient Calendly, CalendlyCalls Calls, NpgsqlDataSource Db,
        ClusterCache Cache, ILogger<ConnectModule> Logger);

    public static async Task<Ok<Envelope<Disconnected>>> Disconnect(CurrentUser user, [AsParameters] DisconnectSources sources,
        CancellationToken ct)
    {
        await DisconnectAsync(user, sources, ct);
        return TypedResults.Ok(Envelope.Of(new Disconnected(false)));
    }

    public static async Task<IResult> DisconnectFromPage(HttpContext context, CurrentUser user, [AsParameters] DisconnectSources sources,
        CancellationToken ct)
    {
        await DisconnectAsync(user, sources, ct);
        // The connection card reloads itself on the event.
        return HtmxPages.Done(context, PageContributions.Home.Href, DisconnectedNotice, PageEvents.CalendlyConnectionChanged);
    }

    private static async Task DisconnectAsync(CurrentUser user, DisconnectSources sources, CancellationToken ct)
    {
        // While the tokens still work: a subscription left behind would keep delivering this coach's bookings.
        try
        {
            await CalendlyWebhookSubscriptions.DeleteAsync(sources.Db, sources.Calls, user.Id, ct);
        }
        catch (CalendlyException e)
        {
            sources.Logger.LogWarning("Calendly did not delete the webhook subscription of user {UserId}: {Reason}", user.Id, e.Message);
        }
        if (await sources.Tokens.DeleteConnectionAsync(user.Id, ct) is { } removed)
        {
            // Revoking is courtesy: the connection is gone from here whether or not Calendly answers.
            await RevokeQuietlyAsync(sources.Calendly, removed.RefreshToken, sources.Logger);
            await RevokeQuietlyAsync(sources.Calendly, removed.AccessToken, sources.Logger);
        }
        await ForgetCachedCalendlyAsync(sources.Cache, user.Id);
    }

    /// <summary>What other slices cached from this coach's previous Calendly account is no longer theirs to show.</summary>
    private static async Task ForgetCachedCalendlyAsync(ClusterCache cache, long userId)
    {
        await cache.EvictAsync(CacheTags.FreeTimesOfCoach(userId));
        await cache.EvictAsync(CacheTags.CoachProfile(userId));
    }

    private static async Task RevokeQuietlyAsync(CalendlyClient calendly, string token, ILogger logger)
    {
        try
        {
            await calendly.RevokeAsync(token, CancellationToken.None);
        }
        catch (CalendlyException e)
        {
            logger.LogWarning("Calendly did not confirm a token revocation: {Reason}", e.Message);
        }
    }

    private static PendingConnect? ReadPending(HttpContext context, IDataProtectionProvider dataProtection)
    {
        if (context.Request.Cookies[PendingCookie] is not { Length: > 0 } cookie) return null;
        try
        {
            return JsonSerializer.Deserialize<PendingConnect>(Protector(dataProtection).Unprotect(cookie));
        }
        catch (Exception e) when (e is CryptographicException or JsonException)
        {
            return null;
        }
    }

    private static ITimeLimitedDataProtector Protector(IDataProtectionProvider dataProtection) =>
        dataProtection.CreateProtector("calendly-oauth-pending").ToTimeLimitedDataProtector();

    private static Uri RedirectUri(HostingOptions hosting) => new(hosting.PublicBaseUrl, CallbackPath.TrimStart('/'));

    private static string RandomToken() => Base64Url(RandomNumberGenerator.GetBytes(32));

    private static string Base64Url(byte[] bytes) => WebEncoders.Base64UrlEncode(bytes);

    private static IResult Problem(int status, ConnectProblem problem)
    {
        var page = ConnectProblemPage.Create(problem);
        page.StatusCode = status;
        return page;
    }
}
