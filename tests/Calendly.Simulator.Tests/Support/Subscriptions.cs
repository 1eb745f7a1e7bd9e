using System.Net.Http.Json;
using System.Text.Json;

namespace Calendly.Simulator.Tests.Support;

public static class Subscriptions
{
    /// <summary>A subscription of the account to the given events (user-scoped unless told), delivered to the receiver.</summary>
    public static async Task<JsonElement> SubscribeAsync(this SimAccount account, WebhookReceiver receiver, string[] events,
        string? signingKey = null, string scope = "user")
    {
        using var response = await account.PostSubscriptionAsync(receiver.Url, events, scope, signingKey);
        var body = await response.JsonAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"subscribe → {(int)response.StatusCode}: {body}");
        return body.GetProperty("resource");
    }

    /// <summary>POST /webhook_subscriptions as the account, in its own organization, answered as it comes.</summary>
    public static Task<HttpResponseMessage> PostSubscriptionAsync(this SimAccount account, string url, string[] events, string scope = "user",
        string? signingKey = null) =>
        account.Api.PostAsJsonAsync("/webhook_subscriptions", new
        {
            url, events, organization = account.OrganizationUri, scope, user = scope == "user" ? account.UserUri : null, signing_key = signingKey,
        });
}
