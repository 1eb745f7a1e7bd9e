using Calendly.Simulator.Api;

namespace Calendly.Simulator.OAuth;

/// <summary>Calendly's auth server (auth.calendly.com) on the simulator's own host.</summary>
public static class OAuthEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/oauth/authorize", AuthorizeEndpoints.Show);
        app.MapPost("/oauth/authorize", AuthorizeEndpoints.DecideAsync).DisableAntiforgery();
        var oauth = app.MapGroup("/oauth").WithMetadata(EndpointKind.OAuth);
        oauth.MapPost("/token", TokenEndpoint.HandleAsync).DisableAntiforgery();
        oauth.MapPost("/revoke", RevokeAndIntrospect.RevokeAsync).DisableAntiforgery();
        oauth.MapPost("/introspect", RevokeAndIntrospect.IntrospectAsync).DisableAntiforgery();
        app.MapGet("/.well-known/oauth-authorization-server", (Infrastructure.ResourceUris uris) => Results.Json(new
        {
            issuer = uris.BaseUrl,
            authorization_endpoint = $"{uris.BaseUrl}/oauth/authorize",
            token_endpoint = $"{uris.BaseUrl}/oauth/token",
            revocation_endpoint = $"{uris.BaseUrl}/oauth/revoke",
            introspection_endpoint = $"{uris.BaseUrl}/oauth/introspect",
            response_types_supported = new[] { "code" },
            grant_types_supported = new[] { "authorization_code", "refresh_token" },
            code_challenge_methods_supported = new[] { "S256" },
            token_endpoint_auth_methods_supported = new[] { "client_secret_basic", "client_secret_post" },
        }));
    }
}
