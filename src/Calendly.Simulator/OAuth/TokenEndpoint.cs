namespace Calendly.Simulator.OAuth;

/// <summary>POST /oauth/token: the authorization_code grant (with PKCE) and the refresh_token grant (with rotation).</summary>
public static class TokenEndpoint
{
    public static async Task<IResult> HandleAsync(HttpContext context, OAuthClients clients, TokenStore tokens, TokenIssuer issuer,
        TimeProvider clock)
    {
        var request = await OAuthRequest.ReadAsync(context.Request, context.RequestAborted);
        if (request.AuthenticatedClient(clients.All) is not { } client) return OAuthErrors.InvalidClient();
        return request["grant_type"] switch
        {
            null => OAuthErrors.InvalidRequest(),
            "authorization_code" => RedeemCode(request, client, tokens, issuer, clock, context.Response),
            "refresh_token" => Refresh(request, client, tokens, issuer, context.Response),
            _ => OAuthErrors.UnsupportedGrantType(),
        };
    }

    private static IResult RedeemCode(OAuthRequest request, OAuthClient client, TokenStore tokens, TokenIssuer issuer,
        TimeProvider clock, HttpResponse response)
    {
        if (request["code"] is not { } value || request["redirect_uri"] is not { } redirectUri) return OAuthErrors.InvalidRequest();
        return tokens.WithCode(value, code =>
        {
            if (code is null || code.ClientId != client.ClientId) return OAuthErrors.InvalidGrant();
            if (code.Redeemed)
            {
                // A replayed code may be stolen: revoke what it already bought (RFC 6749 §4.1.2).
                if (code.Issued is { } issued)
                {
                    tokens.Revoke(issued.AccessToken);
                    tokens.Revoke(issued.RefreshToken);
                }
                return OAuthErrors.InvalidGrant();
            }
            if (code.ExpiresAt <= clock.GetUtcNow() || code.RedirectUri != redirectUri) return OAuthErrors.InvalidGrant();
            if (code.CodeChallenge is not null)
            {
                if (request["code_verifier"] is not { } verifier) return OAuthErrors.InvalidRequest("Missing required parameter: code_verifier.");
                if (!Pkce.Matches(code.CodeChallenge, verifier)) return OAuthErrors.InvalidGrant();
            }
            if (!issuer.TryTakeTokenRequest(code.UserUuid, response)) return OAuthErrors.TooManyTokenRequests();
            code.Redeemed = true;
            code.Issued = issuer.Issue(code.UserUuid, client.ClientId, code.Scope);
            return TokenIssuer.Result(code.Issued);
        });
    }

    /// <summary>
    /// Rotation: the used refresh token dies at once, so a second use of it is invalid_grant. The new pair keeps the
    /// scope of the grant, whatever the client's registration says now.
    /// </summary>
    private static IResult Refresh(OAuthRequest request, OAuthClient client, TokenStore tokens, TokenIssuer issuer, HttpResponse response)
    {
        if (request["refresh_token"] is not { } value) return OAuthErrors.InvalidRequest();
        return tokens.WithRefreshToken(value, refresh =>
        {
            if (refresh is null || refresh.Dead || refresh.ClientId != client.ClientId) return OAuthErrors.InvalidGrant();
            // A refused (rate-limited) request must not burn the refresh token.
            if (!issuer.TryTakeTokenRequest(refresh.UserUuid, response)) return OAuthErrors.TooManyTokenRequests();
            refresh.Dead = true;
            return TokenIssuer.Result(issuer.Issue(refresh.UserUuid, client.ClientId, refresh.Scope));
        });
    }
}
