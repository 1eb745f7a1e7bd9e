using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace App.Infrastructure.Security;

/// <summary>
/// How often one client may try the doors an attacker knocks on (ASP.NET Core's rate limiter, fixed one-minute
/// windows): signing in and the OAuth routes per client address, booking and cancelling per user. Refused webhook
/// deliveries are limited by <see cref="RefusedDeliveries"/>. Over the limit: <c>429 rate_limited</c> with
/// <c>Retry-After</c>, in the envelope for /api and as an error page (a toast for htmx) for pages.
/// </summary>
public static class RateLimits
{
    /// <summary>Per client address: the development sign-in form and /api/dev/token.</summary>
    public const string SignIn = "sign-in";

    /// <summary>Per client address: the OAuth connect and callback navigations.</summary>
    public const string OAuth = "oauth";

    /// <summary>Per signed-in user: booking and cancelling sessions, from the pages and the API alike.</summary>
    public const string Bookings = "bookings";

    public static IServiceCollection AddAppRateLimits(this IServiceCollection services)
    {
        services.AddFlatSettings<RateLimitOptions>();
        services.AddSingleton<RefusedDeliveries>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<RateLimitOptions>((options, limits) =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy(SignIn, context => PerMinute(ClientAddress(context), limits.SignInPerMinute));
            options.AddPolicy(OAuth, context => PerMinute(ClientAddress(context), limits.OAuthPerMinute));
            // Authorization has run: only a signed-in user reaches these routes.
            options.AddPolicy(Bookings, context => PerMinute($"user:{context.Features.Get<CurrentUser>()?.Id}", limits.BookingsPerMinute));
            options.OnRejected = (rejected, _) => new ValueTask(RejectAsync(rejected.HttpContext, rejected.Lease));
        });
        return services;
    }

    /// <summary>Limits the route by <paramref name="policy"/> and documents its 429.</summary>
    public static RouteHandlerBuilder RateLimited(this RouteHandlerBuilder builder, string policy) =>
        builder.RequireRateLimiting(policy).ProducesErrors(StatusCodes.Status429TooManyRequests);

    /// <summary>The caller's address: the connection's, which the forwarded headers make the client's behind Fly's proxy.</summary>
    public static string ClientAddress(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>Sets <c>Retry-After</c> from the refused lease and answers 429 the way this route answers errors.</summary>
    public static Task RejectAsync(HttpContext context, RateLimitLease lease)
    {
        var message = TooMany(context, lease);
        return Envelope.IsApiRequest(context.Request)
            ? ApiErrors.WriteAsync(context, StatusCodes.Status429TooManyRequests, "rate_limited", message)
            : ErrorPages.WriteAsync(context, StatusCodes.Status429TooManyRequests, message, "rate_limited");
    }

    /// <summary>Sets <c>Retry-After</c> and says when to come back.</summary>
    public static string TooMany(HttpContext context, RateLimitLease lease)
    {
        var seconds = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? (int)Math.Ceiling(retryAfter.TotalSeconds) : 60;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return $"Too many attempts; try again in {seconds} seconds.";
    }

    internal static RateLimitPartition<string> PerMinute(string key, int permits) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });
}

/// <summary>
/// Refused requests per client address (forged webhook signatures): only a refusal spends from the budget, so a flood
/// of forgeries is cut off with 429 while genuine deliveries from the same address, which Calendly sends by the
/// thousand in a busy burst, are never limited.
/// </summary>
public sealed class RefusedDeliveries(RateLimitOptions options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(
        address => RateLimits.PerMinute(address, options.RefusedWebhooksPerMinute));

    /// <summary>Spends one refusal of this caller's budget; a lease that is not acquired means the caller is over it.</summary>
    public RateLimitLease Spend(HttpContext context) => _limiter.AttemptAcquire(RateLimits.ClientAddress(context));

    public void Dispose() => _limiter.Dispose();
}

/// <summary>The limits (README's configuration table), per minute in fixed windows.</summary>
public sealed record RateLimitOptions : IFlatSettings
{
    public int SignInPerMinute { get; set; }
    public int OAuthPerMinute { get; set; }
    public int BookingsPerMinute { get; set; }
    public int RefusedWebhooksPerMinute { get; set; }

    public void Read(SettingsReader settings)
    {
        SignInPerMinute = (int)settings.Number("RATE_LIMIT_SIGN_IN_PER_MINUTE", 10, 1, 1_000_000);
        OAuthPerMinute = (int)settings.Number("RATE_LIMIT_OAUTH_PER_MINUTE", 20, 1, 1_000_000);
        BookingsPerMinute = (int)settings.Number("RATE_LIMIT_BOOKINGS_PER_MINUTE", 20, 1, 1_000_000);
        RefusedWebhooksPerMinute = (int)settings.Number("RATE_LIMIT_REFUSED_WEBHOOKS_PER_MINUTE", 30, 1, 1_000_000);
    }
}
