using Microsoft.AspNetCore.WebUtilities;

namespace Calendly.Simulator.OAuth;

/// <summary>The validated parameters of /oauth/authorize, as the consent form carries them from the GET to the POST.</summary>
public sealed record AuthorizeRequest(OAuthClient Client, string RedirectUri, string ResponseType, string? State,
    string? CodeChallenge, string? CodeChallengeMethod, string? RequestedScope)
{
    /// <summary>What Allow grants: the asked scopes the client is registered for, or all of them when none are asked.</summary>
    public ScopeGrant Grant { get; } = Scopes.Grant(Client, RequestedScope);

    /// <summary>
    /// A bad client or redirect URI gets an error page, never a redirect (RFC 6749 §4.1.2.1: the redirect target is not
    /// trusted). Everything else is the caller's to report by redirect, through <see cref="ProblemRedirect"/>.
    /// </summary>
    public static (AuthorizeRequest? Request, IResult? ErrorPage) Read(Func<string, string?> parameter, IEnumerable<OAuthClient> clients)
    {
        var client = clients.FirstOrDefault(c => c.ClientId == parameter("client_id"));
        if (client is null)
            return (null, Pages.Html.Error(400, "invalid_client", OAuthErrors.InvalidClientDescription));
        if (parameter("redirect_uri") is not { } redirectUri || !client.Allows(redirectUri))
            return (null, Pages.Html.Error(400, "invalid_redirect_uri", OAuthErrors.InvalidRedirectUriDescription));
        return (new AuthorizeRequest(client, redirectUri, parameter("response_type") ?? "", parameter("state"),
            parameter("code_challenge"), parameter("code_challenge_method"), parameter("scope")), null);
    }

    /// <summary>What the request asks that cannot be granted, as the redirect that reports it; null when it is fine.</summary>
    public IResult? ProblemRedirect()
    {
        if (ResponseType != "code") return Redirect(("error", "unsupported_response_type"), ("error_description", OAuthErrors.UnsupportedResponseTypeDescription));
        if (CodeChallengeMethod is not null && CodeChallengeMethod != "S256" || CodeChallengeMethod is not null && CodeChallenge is null)
            return Redirect(("error", "invalid_request"), ("error_description", "PKCE needs code_challenge with code_challenge_method S256."));
        if (Grant.Unknown.Count > 0) return Redirect(("error", "invalid_scope"), ("error_description", OAuthErrors.InvalidScopeDescription));
        return null;
    }

    public IResult Redirect(params (string Name, string Value)[] parameters)
    {
        var query = parameters.Where(p => p.Value is not null).ToDictionary(p => p.Name, p => (string?)p.Value);
        if (State is not null) query["state"] = State;
        return Results.Redirect(QueryHelpers.AddQueryString(RedirectUri, query));
    }

    public IEnumerable<(string Name, string? Value)> FormFields() =>
    [
        ("client_id", Client.ClientId), ("redirect_uri", RedirectUri), ("response_type", ResponseType), ("state", State),
        ("code_challenge", CodeChallenge), ("code_challenge_method", CodeChallengeMethod), ("scope", RequestedScope),
    ];
}
