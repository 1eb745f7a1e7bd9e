using System.Security.Cryptography;
using System.Text;
using App.Infrastructure.Configuration;

namespace App.Tests.Support;

/// <summary>Calendly's signature on a webhook delivery, as the tests that deliver as Calendly send it.</summary>
public static class CalendlyDeliveries
{
    public const string Header = "Calendly-Webhook-Signature";

    public static string Sign(byte[] body, long timestamp, string key = CalendlyOptions.DevWebhookSigningKey)
    {
        var message = Encoding.UTF8.GetBytes($"{timestamp}.").Concat(body).ToArray();
        return $"t={timestamp},v1={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), message))}";
    }
}
