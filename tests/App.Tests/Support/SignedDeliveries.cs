using System.Security.Cryptography;
using System.Text;
using Alba;
using App.Infrastructure.Configuration;

namespace App.Tests.Support;

/// <summary>Webhook deliveries as Calendly signs them, each about an invitee of its own.</summary>
public static class SignedDeliveries
{
    public static async Task<HttpResponseMessage> DeliverAsync(IAlbaHost host, string signingKey = CalendlyOptions.DevWebhookSigningKey)
    {
        var invitee = $"https://api.calendly.com/scheduled_events/{Guid.NewGuid():N}/invitees/{Guid.NewGuid():N}";
        var body = Encoding.UTF8.GetBytes($$$"""
            {"event":"invitee.created","created_at":"2026-01-05T10:00:00.000000Z","created_by":"https://api.calendly.com/users/nobody",
             "payload":{"uri":"{{{invitee}}}","email":"someone@example.test","name":"Someone","status":"active"}}
            """);
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingKey),
            Encoding.UTF8.GetBytes($"{timestamp}.").Concat(body).ToArray()));
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/calendly/webhooks") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("Calendly-Webhook-Signature", $"t={timestamp},v1={signature}");
        return await new Browser(host.Server.CreateClient()).SendAsync(request);
    }
}
