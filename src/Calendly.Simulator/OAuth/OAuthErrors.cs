namespace Calendly.Simulator.OAuth;

public sealed record OAuthError(string Error, string ErrorDescription);

/// <summary>
/// RFC 6749 errors with the descriptions of Doorkeeper, the Rails OAuth server whose token response (with created_at)
/// Calendly's matches.
/// </summary>
public static class OAuthErrors
{
    public const string InvalidRequestDescription =
        "The request is missing a required parameter, includes an unsupported parameter value, or is otherwise malformed.";
    public const string InvalidClientDescription =
        "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.";
    public const string InvalidGrantDescription =
        "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.";
    public const string InvalidRedirectUriDescription = "The requested redirect uri is malformed or doesn't match client redirect URI.";
    public const string AccessDeniedDescription = "The resource owner or authorization server denied the request.";
    public const string UnsupportedResponseTypeDescription = "The authorization server does not support this response type.";
    public const string InvalidScopeDescription = "The requested scope is invalid, unknown, or malformed.";

    public static IResult InvalidRequest(string? description = null) =>
        Json(400, "invalid_request", description ?? InvalidRequestDescription);

    public static IResult InvalidClient() => Json(401, "invalid_client", InvalidClientDescription);

    public static IResult InvalidGrant() => Json(400, "invalid_grant", InvalidGrantDescription);

    public static IResult UnsupportedGrantType() =>
        Json(400, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server.");

    public static IResult UnauthorizedClient() => Json(403, "unauthorized_client", "You are not authorized to revoke this token");

    // Calendly documents the limit (8 token requests per user per minute) but not its error body.
    public static IResult TooManyTokenRequests() =>
        Json(429, "rate_limit_exceeded", "Too many token requests for this user; wait X-RateLimit-Reset seconds.");

    private static IResult Json(int status, string error, string description) =>
        Results.Json(new OAuthError(error, description), Infrastructure.CalendlyJson.Options, statusCode: status);
}
