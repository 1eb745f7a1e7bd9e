using System.Threading.Channels;

namespace Calendly.Simulator.Webhooks;

/// <summary>One webhook message for one subscription; Attempt counts tries, starting at 1.</summary>
public sealed record WebhookDelivery(string SubscriptionUuid, string Url, byte[] Body, string SigningKey, int Attempt = 1);

/// <summary>The hand-off between changes in the world (which enqueue) and the delivery worker (which sends).</summary>
public sealed class DeliveryQueue
{
    private readonly Channel<WebhookDelivery> _channel = Channel.CreateUnbounded<WebhookDelivery>();

    public ChannelReader<WebhookDelivery> Reader => _channel.Reader;

    public void Enqueue(WebhookDelivery delivery) => _channel.Writer.TryWrite(delivery);
}
