using System.Text;
using System.Text.Json;

namespace Calendly.Simulator.OAuth;

/// <summary>
/// The parameters of a token, revoke or introspect request, and the client it authenticates as. Calendly accepts the
/// client credentials as HTTP Basic or as client_id/client_secret in the body, and the body form-encoded or as JSON.
/// </summary>
public sealed record OAuthRequest(IReadOnlyDictionary<string, string> Parameters, string? ClientId, string? ClientSecret)
{
    public string? this[string name] => Parameters.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    public static async Task<OAuthRequest> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var parameters = await ParametersAsync(request, cancellationToken);
        var (basicId, basicSecret) = BasicCredentials(request);
        return new OAuthRequest(parameters,
            basicId ?? parameters.GetValueOrDefault("client_id"),
            basicId is null ? parameters.GetValueOrDefault("client_secret") : basicSecret);
    }

    /// <summary>The registered client these credentials prove, or null (unknown client, wrong or missing secret).</summary>
    public OAuthClient? AuthenticatedClient(IEnumerable<OAuthClient> clients) =>
        clients.FirstOrDefault(c => c.ClientId == ClientId && ClientSecret is not null &&
            System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                Encoding.UTF8.GetBytes(c.ClientSecret), Encoding.UTF8.GetBytes(ClientSecret)));

    private static async Task<Dictionary<string, string>> ParametersAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellationToken);
            return form.ToDictionary(f => f.Key, f => f.Value.ToString());
        }
        if (request.HasJsonContentType())
        {
            try
            {
                var body = await JsonSerializer.DeserializeAsync<Dictionary<string, JsonElement>>(request.Body, cancellationToken: cancellationToken);
                return body?.ToDictionary(p => p.Key, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText()) ?? [];
            }
            catch (JsonException)
            {
                return [];
            }
        }
        return [];
    }

    // RFC 6749 §2.3.1: the id and secret are form-url-encoded before they are joined with ':' and base64-encoded.
    private static (string? Id, string? Secret) BasicCredentials(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return (null, null);
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            var colon = decoded.IndexOf(':');
            return colon < 0 ? (null, null) : (Uri.UnescapeDataString(decoded[..colon]), Uri.UnescapeDataString(decoded[(colon + 1)..]));
        }
        catch (FormatException)
        {
            return (null, null);
        }
    }
}
