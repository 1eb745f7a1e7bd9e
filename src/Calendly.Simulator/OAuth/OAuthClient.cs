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

    /// <summary>SIM_OAUTH_CLIENTS uses Calendly's snake_case names: client_id, client_secret, redirect_uris, webhook_signing_key.</summary>
    internal static readonly JsonSerializerOptions ConfigJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The Calendly.Slices app's client, with the development defaults for whatever is not configured.</summary>
    public static OAuthClient Development(string? clientId = null, string? clientSecret = null, string? redirectUri = null,
        string? webhookSigningKey = null) =>
        new(Or(clientId, DevelopmentClientId), Or(clientSecret, DevelopmentClientSecret), [Or(redirectUri, DevelopmentRedirectUri)])
        {
            WebhookSigningKey = Or(webhookSigningKey, DevelopmentWebhookSigningKey),
        };

    public bool Allows(string redirectUri) => RedirectUris.Contains(redirectUri, StringComparer.Ordinal);

    internal OAuthClient Validated() =>
        string.IsNullOrEmpty(ClientId) || string.IsNullOrEmpty(ClientSecret) || RedirectUris is not { Count: > 0 }
            ? throw new InvalidOperationException("Each SIM_OAUTH_CLIENTS entry needs client_id, client_secret and redirect_uris.")
            : this;

    private static string Or(string? value, string fallback) => string.IsNullOrEmpty(value) ? fallback : value;
}
