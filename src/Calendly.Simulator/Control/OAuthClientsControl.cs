using System.Text.Json;
using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.OAuth;

namespace Calendly.Simulator.Control;

/// <summary>
/// GET /_sim/oauth_clients lists the registered OAuth applications (never their secrets or signing keys); PATCH
/// /_sim/oauth_clients/{clientId} ticks their scopes, as a developer does in Calendly's console.
/// </summary>
public static class OAuthClientsControl
{
    /// <summary>Scopes is required: an array of scope names, or null for a legacy app with "default" access.</summary>
    public sealed record ScopesChange(JsonElement Scopes);

    public sealed record ClientView(string ClientId, IReadOnlyList<string> RedirectUris, IReadOnlyList<string>? Scopes)
    {
        public static ClientView Of(OAuthClient client) => new(client.ClientId, client.RedirectUris, client.Scopes);
    }

    public sealed record ClientList(IReadOnlyList<ClientView> Clients);

    public static void Map(RouteGroupBuilder control)
    {
        control.MapGet("/oauth_clients", (OAuthClients clients) =>
            Results.Json(new ClientList([.. clients.All.Select(ClientView.Of)]), RequestBody.ControlJson));
        control.MapPatch("/oauth_clients/{clientId}", ChangeAsync);
    }

    private static async Task<IResult> ChangeAsync(string clientId, HttpRequest request, OAuthClients clients)
    {
        var (body, error) = await RequestBody.ReadAsync<ScopesChange>(request, RequestBody.ControlJson, request.HttpContext.RequestAborted);
        if (error is not null) return error;
        var (scopes, details) = Read(body?.Scopes ?? default);
        if (details.Count > 0) return CalendlyErrors.InvalidArgument(details);
        return clients.ChangeScopes(clientId, scopes) is { } changed
            ? Results.Json(ClientView.Of(changed), RequestBody.ControlJson)
            : CalendlyErrors.NotFound();
    }

    // A missing key and an explicit null differ: only null makes the app a legacy one.
    private static (IReadOnlyList<string>? Scopes, List<ErrorDetail> Details) Read(JsonElement scopes)
    {
        const string Expected = "an array of Calendly scope names, or null for a legacy app with default access";
        if (scopes.ValueKind == JsonValueKind.Undefined) return (null, [new("scopes", $"is required: {Expected}")]);
        if (scopes.ValueKind == JsonValueKind.Null) return (null, []);
        if (scopes.ValueKind != JsonValueKind.Array || scopes.EnumerateArray().Any(s => s.ValueKind != JsonValueKind.String))
            return (null, [new("scopes", $"must be {Expected}")]);
        var names = scopes.EnumerateArray().Select(s => s.GetString()!).Distinct().ToList();
        return (names, [.. Scopes.NotInCatalog(names).Select(name => new ErrorDetail("scopes", $"{name} is not a Calendly scope"))]);
    }
}
