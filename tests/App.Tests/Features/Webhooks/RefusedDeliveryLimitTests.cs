using System.Net;
using System.Security.Cryptography;
using System.Text;
using App.Features.Webhooks;
using App.Infrastructure.Configuration;
using App.Tests.Infrastructure;
using App.Tests.Support;
using static App.Tests.Support.ApiResponses;

namespace App.Tests.Features.Webhooks;

/// <summary>The webhook's part of the rate limits: only refused deliveries count, per client address.</summary>
[ClassDataSource<RateLimitedApp>(Shared = SharedType.PerClass)]
public sealed class RefusedDeliveryLimitTests(RateLimitedApp app)
{
    private static async Task AssertRetryAfterAsync(HttpResponseMessage response) =>
        await Assert.That(int.Parse(response.Headers.GetValues("Retry-After").Single())).IsBetween(1, 60);

    private static async Task<HttpResponseMessage> DeliverAsync(Browser sender, bool genuine)
    {
        var body = Encoding.UTF8.GetBytes($$$"""{"event":"invitee.created","created_at":"{{{DateTime.UtcNow:O}}}","payload":{"marker":"{{{Guid.NewGuid():N}}}"}}""");
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var key = genuine ? CalendlyOptions.DevWebhookSigningKey : "a forger's guess";
        var message = Encoding.UTF8.GetBytes($"{timestamp}.").Concat(body).ToArray();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/calendly/webhooks") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add(WebhooksModule.SignatureHeader,
            $"t={timestamp},v1={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), message))}");
        return await sender.SendAsync(request);
    }

    [Test]
    public async Task A_forged_flood_is_cut_off_while_genuine_deliveries_from_the_same_address_never_are()
    {
        var calendly = app.At("192.0.2.30");
        for (var i = 0; i < RateLimitedApp.Limit; i++)
            await ErrorOf(await DeliverAsync(calendly, genuine: false), HttpStatusCode.Unauthorized, "invalid_signature");
        for (var i = 0; i < 5; i++)
        {
            var refused = await DeliverAsync(calendly, genuine: false);
            await ErrorOf(refused, HttpStatusCode.TooManyRequests, "rate_limited");
            await AssertRetryAfterAsync(refused);
        }

        // Far more genuine deliveries than the limit, from the address that is cut off, in the middle of the flood.
        for (var i = 0; i < RateLimitedApp.Limit * 4; i++)
        {
            await Assert.That((await DeliverAsync(calendly, genuine: true)).StatusCode).IsEqualTo(HttpStatusCode.OK);
            await Assert.That((await DeliverAsync(calendly, genuine: false)).StatusCode).IsEqualTo(HttpStatusCode.TooManyRequests);
        }
    }
}
