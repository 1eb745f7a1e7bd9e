using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.Traffic;
using Calendly.Simulator.World;

namespace Calendly.Simulator.OAuth;

/// <summary>Calendly's token response; created_at is Unix seconds, unlike every other timestamp.</summary>
public sealed record TokenResponse(string TokenType, string AccessToken, string RefreshToken, string Scope, long ExpiresIn,
    long CreatedAt, string Owner, string Organization);

/// <summary>Issues token pairs for the token endpoint and for /_sim/tokens alike, and enforces Calendly's token request limit.</summary>
public sealed class TokenIssuer(SimulatorSettings settings, TokenStore tokens, WorldStore world, ResourceUris uris, FaultRules faults,
    RateLimiter limiter)
{
    /// <summary>At most N token requests per user per minute; the rate-limit headers go on the answer either way.</summary>
    public bool TryTakeTokenRequest(string userUuid, HttpResponse response)
    {
        if (settings.GlobalTokenRequestsPerMinute is { } globalLimit && limiter.Take("token:*", globalLimit) is { Allowed: false } everyone)
        {
            everyone.WriteHeaders(response);
            return false;
        }
        var decision = limiter.Take($"token:{userUuid}", settings.TokenRequestsPerMinute);
        decision.WriteHeaders(response);
        return decision.Allowed;
    }

    public TokenResponse Issue(string userUuid, string clientId, string scope)
    {
        var lifetime = faults.TokenLifetimeFor(userUuid) ?? settings.TokenLifetime;
        var (access, refresh) = tokens.Issue(userUuid, clientId, scope, lifetime);
        var organization = world.Locked(w => w.Users[userUuid].OrganizationUuid);
        return new TokenResponse("Bearer", access.Value, refresh.Value, scope, (long)lifetime.TotalSeconds,
            access.CreatedAt.ToUnixTimeSeconds(), uris.User(userUuid), uris.Organization(organization));
    }

    public static IResult Result(TokenResponse response) => CalendlyResults.Json(StatusCodes.Status200OK, response);
}
