using System.Text.Json;

namespace Calendly.Simulator.OAuth;

/// <summary>A registered OAuth application: what Calendly's developer console holds for it.</summary>
public sealed record OAuthClient(string ClientId, string ClientSecret, IReadOnlyList<string> RedirectUris)
{
    public const string DevelopmentClientId = "calendly-slices-dev";
    public const string DevelopmentClientSecret = "calendly-slices-dev-secret";
    public const string DevelopmentWebhookSigningKey = "calendly-slices-dev-webhook-signing-key";
    public const string DevelopmentRedirectUri = "http://localhost:5080/api/calendly/oauth/callback";

    /// <summary>Signs webhooks of subscriptions this application creates without a key of their own.</summary>
    public string? WebhookSigningKey { get; init; }

    /// <summary>The scopes ticked for the application; null for a legacy application, whose grants are "default" (everything).</summary>
    public IReadOnlyList<string>? Scopes { get; init; }

    /// <summary>SIM_OAUTH_CLIENTS uses Calendly's snake_case names: client_id, client_secret, redirect_uris, webhook_signing_key, scopes.</summary>
    internal static readonly JsonSerializerOptions ConfigJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>
    /// The Calendly.Slices app's client, with the development defaults for whatever is not configured: an app registered
    /// since the 2026 scopes, with every scope ticked.
    /// </summary>
    public static OAuthClient Development(string? clientId = null, string? clientSecret = null, string? redirectUri = null,
        string? webhookSigningKey = null) =>
        new(Or(clientId, DevelopmentClientId), Or(clientSecret, DevelopmentClientSecret), [Or(redirectUri, DevelopmentRedirectUri)])
        {
            WebhookSigningKey = Or(webhookSigningKey, DevelopmentWebhookSigningKey),
            Scopes = OAuth.Scopes.Catalog,
        };

    public bool Allows(string redirectUri) => RedirectUris.Contains(redirectUri, StringComparer.Ordinal);

    internal OAuthClient Validated()
    {
        if (string.IsNullOrEmpty(ClientId) || string.IsNullOrEmpty(ClientSecret) || RedirectUris is not { Count: > 0 })
            throw new InvalidOperationException("Each SIM_OAUTH_CLIENTS entry needs client_id, client_secret and redirect_uris.");
        if (Scopes is not null && OAuth.Scopes.NotInCatalog(Scopes) is { Count: > 0 } unknown)
            throw new InvalidOperationException(
                $"SIM_OAUTH_CLIENTS: {ClientId} has scopes Calendly does not know: {string.Join(", ", unknown)} (leave scopes out for a legacy app).");
        return this;
    }

    private static string Or(string? value, string fallback) => string.IsNullOrEmpty(value) ? fallback : value;
}
