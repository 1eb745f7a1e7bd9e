using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Calendly.Simulator.Webhooks;

/// <summary>Calendly-Webhook-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256(key, t + "." + raw body)&gt;.</summary>
public static class WebhookSigner
{
    public const string Header = "Calendly-Webhook-Signature";

    public static string Sign(string signingKey, long unixSeconds, ReadOnlySpan<byte> body)
    {
        var t = unixSeconds.ToString(CultureInfo.InvariantCulture);
        var message = new byte[t.Length + 1 + body.Length];
        Encoding.ASCII.GetBytes(t + ".").CopyTo(message, 0);
        body.CopyTo(message.AsSpan(t.Length + 1));
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingKey), message);
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }
}
