using System.Net.Http.Json;
using System.Text.Json;

namespace Calendly.Simulator.Tests.Support;

public static class Subscriptions
{
    /// <summary>A user-scoped subscription of the account to the given events, delivered to the receiver.</summary>
    public static async Task<JsonElement> SubscribeAsync(this SimAccount account, WebhookReceiver receiver, string[] events,
        string? signingKey = null, string scope = "user")
    {
        using var response = await account.Api.PostAsJsonAsync("/webhook_subscriptions", new
        {
            url = receiver.Url, events, organization = account.OrganizationUri, scope,
            user = scope == "user" ? account.UserUri : null, signing_key = signingKey,
        });
        var body = await response.JsonAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"subscribe → {(int)response.StatusCode}: {body}");
        return body.GetProperty("resource");
    }
}
