using System.Text.Json;
using System.Text.Json.Serialization;
using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.World;

namespace Calendly.Simulator.OAuth;

public sealed record Introspection(bool Active, string? Scope = null, string? ClientId = null, string? TokenType = null,
    long? Exp = null, long? Iat = null, string? Owner = null, string? Organization = null);

/// <summary>POST /oauth/revoke and POST /oauth/introspect (client credentials plus token, form-encoded).</summary>
public static class RevokeAndIntrospect
{
    public static async Task<IResult> RevokeAsync(HttpContext context, OAuthClients clients, TokenStore tokens)
    {
        var request = await OAuthRequest.ReadAsync(context.Request, context.RequestAborted);
        if (request["token"] is not { } value) return OAuthErrors.InvalidRequest();
        var client = request.AuthenticatedClient(clients.All);
        var (access, refresh) = tokens.Find(value);
        var owner = access?.ClientId ?? refresh?.ClientId;
        if (client is null || (owner is not null && owner != client.ClientId)) return OAuthErrors.UnauthorizedClient();
        tokens.Revoke(value);
        return Results.Json(new { });
    }

    public static async Task<IResult> IntrospectAsync(HttpContext context, OAuthClients clients, TokenStore tokens,
        WorldStore world, ResourceUris uris, TimeProvider clock)
    {
        var request = await OAuthRequest.ReadAsync(context.Request, context.RequestAborted);
        if (request.AuthenticatedClient(clients.All) is not { } client) return OAuthErrors.InvalidClient();
        if (request["token"] is not { } value) return OAuthErrors.InvalidRequest();
        var (access, refresh) = tokens.Find(value);
        var now = clock.GetUtcNow();
        if (access is { Revoked: false } a && a.ExpiresAt > now && a.ClientId == client.ClientId)
            return Json(new Introspection(true, a.Scope, a.ClientId, "Bearer", a.ExpiresAt.ToUnixTimeSeconds(),
                a.CreatedAt.ToUnixTimeSeconds(), uris.User(a.UserUuid), OrganizationOf(a.UserUuid, world, uris)));
        if (refresh is { Dead: false } r && r.ClientId == client.ClientId)
            return Json(new Introspection(true, r.Scope, r.ClientId, "refresh_token", null, r.CreatedAt.ToUnixTimeSeconds(),
                uris.User(r.UserUuid), OrganizationOf(r.UserUuid, world, uris)));
        return Json(new Introspection(false));
    }

    private static string? OrganizationOf(string userUuid, WorldStore world, ResourceUris uris) =>
        world.Locked(w => w.Users.TryGetValue(userUuid, out var user) ? uris.Organization(user.OrganizationUuid) : null);

    // "active" is always present; the other fields only describe an active token.
    private static readonly JsonSerializerOptions IntrospectionJson =
        new(CalendlyJson.Options) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private static IResult Json(Introspection introspection) => Results.Json(introspection, IntrospectionJson);
}
