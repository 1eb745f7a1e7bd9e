using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Calendly.Simulator.OAuth;
using Microsoft.AspNetCore.WebUtilities;

namespace Calendly.Simulator.Tests.Support;

/// <summary>A client's side of Calendly OAuth against the simulator (the app's client unless told): consent form, code exchange, refresh.</summary>
public sealed class OAuthFlow(TestSimulator simulator, OAuthClient? client = null)
{
    public const string Verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-with-enough-entropy";
    public static readonly OAuthClient Client = OAuthClient.Development();
    private readonly OAuthClient _client = client ?? Client;

    public static Dictionary<string, string?> AuthorizeParameters(string? state = "xyz", string? verifier = Verifier, OAuthClient? client = null,
        string? scope = null) => new()
    {
        ["client_id"] = (client ?? Client).ClientId,
        ["response_type"] = "code",
        ["redirect_uri"] = (client ?? Client).RedirectUris[0],
        ["state"] = state,
        ["code_challenge"] = verifier is null ? null : Pkce.ChallengeOf(verifier),
        ["code_challenge_method"] = verifier is null ? null : "S256",
        ["scope"] = scope,
    };

    /// <summary>Submits the consent form as the browser would (Allow or Deny) and returns the redirect's query.</summary>
    public async Task<(HttpResponseMessage Response, Dictionary<string, string> Query)> DecideAsync(string accountUuid, string decision = "allow",
        Dictionary<string, string?>? parameters = null)
    {
        var fields = (parameters ?? AuthorizeParameters(client: _client)).Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value!);
        fields["account"] = accountUuid;
        fields["decision"] = decision;
        var response = await simulator.Http.PostAsync("/oauth/authorize", new FormUrlEncodedContent(fields));
        var location = response.Headers.Location?.ToString() ?? "";
        var query = QueryHelpers.ParseQuery(new Uri(location).Query).ToDictionary(p => p.Key, p => p.Value.ToString());
        return (response, query);
    }

    public async Task<string> CodeForAsync(string accountUuid, string? verifier = Verifier, string? scope = null)
    {
        var (_, query) = await DecideAsync(accountUuid, parameters: AuthorizeParameters(verifier: verifier, client: _client, scope: scope));
        return query["code"];
    }

    /// <summary>The code exchange with HTTP Basic client authentication, as a web app does it.</summary>
    public async Task<HttpResponseMessage> ExchangeAsync(string code, string? verifier = Verifier, string? redirectUri = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token")
        {
            Content = new FormUrlEncodedContent(Without(new()
            {
                ["grant_type"] = "authorization_code",
                ["code"] = code,
                ["redirect_uri"] = redirectUri ?? _client.RedirectUris[0],
                ["code_verifier"] = verifier,
            })),
            Headers = { Authorization = Basic(_client.ClientId, _client.ClientSecret) },
        };
        return await simulator.Http.SendAsync(request);
    }

    public Task<HttpResponseMessage> RefreshAsync(string refreshToken) =>
        simulator.Http.PostAsync("/oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["client_id"] = _client.ClientId,
            ["client_secret"] = _client.ClientSecret,
        }));

    public static HttpRequestMessage RefreshWithJsonBody(string refreshToken, string secret) =>
        new(HttpMethod.Post, "/oauth/token")
        {
            Content = new StringContent(JsonSerializer.Serialize(new
            {
                grant_type = "refresh_token", refresh_token = refreshToken, client_id = Client.ClientId, client_secret = secret,
            }), Encoding.UTF8, "application/json"),
        };

    public static HttpRequestMessage RefreshWithBasicAuth(string refreshToken, string secret) =>
        new(HttpMethod.Post, "/oauth/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken }),
            Headers = { Authorization = Basic(Client.ClientId, secret) },
        };

    public static AuthenticationHeaderValue Basic(string id, string secret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{id}:{secret}")));

    private static Dictionary<string, string> Without(Dictionary<string, string?> fields) =>
        fields.Where(f => f.Value is not null).ToDictionary(f => f.Key, f => f.Value!);
}
