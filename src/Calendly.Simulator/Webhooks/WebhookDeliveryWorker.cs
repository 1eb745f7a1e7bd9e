using Calendly.Simulator.World;

namespace Calendly.Simulator.Webhooks;

/// <summary>
/// Sends queued webhooks, several at a time so that one slow receiver does not hold up the others. A non-2xx answer or a
/// timeout is retried with exponential backoff; the subscription records retry_started_at, and once it has failed for
/// the whole failure window (Calendly: 24 hours, by the simulator clock) it is disabled and its messages are dropped.
/// </summary>
public sealed class WebhookDeliveryWorker(DeliveryQueue queue, IHttpClientFactory httpClients, WorldStore world, TimeProvider clock,
    SimulatorSettings settings, ILogger<WebhookDeliveryWorker> logger) : BackgroundService
{
    public const string HttpClientName = "webhooks";
    private const int ParallelDeliveries = 8;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Parallel.ForEachAsync(queue.Reader.ReadAllAsync(stoppingToken),
            new ParallelOptions { MaxDegreeOfParallelism = ParallelDeliveries, CancellationToken = stoppingToken },
            async (delivery, cancellationToken) => await DeliverAsync(delivery, cancellationToken));

    private async Task DeliverAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        if (!IsActive(delivery.SubscriptionUuid)) return;
        if (await SendAsync(delivery, cancellationToken))
        {
            world.Locked(w =>
            {
                if (w.WebhookSubscriptions.TryGetValue(delivery.SubscriptionUuid, out var s)) s.RetryStartedAt = null;
            });
            return;
        }
        if (!KeepRetrying(delivery.SubscriptionUuid)) return;
        var delay = TimeSpan.FromTicks(Math.Min(settings.WebhookRetryMaxDelay.Ticks,
            settings.WebhookRetryBaseDelay.Ticks * (1L << Math.Min(delivery.Attempt - 1, 30))));
        _ = RetryLaterAsync(delivery with { Attempt = delivery.Attempt + 1 }, delay, cancellationToken);
    }

    private async Task<bool> SendAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = new ByteArrayContent(delivery.Body) };
        request.Content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation(WebhookSigner.Header,
            WebhookSigner.Sign(delivery.SigningKey, clock.GetUtcNow().ToUnixTimeSeconds(), delivery.Body));
        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogInformation("Webhook delivery to {Url} failed (attempt {Attempt}): {Reason}", delivery.Url, delivery.Attempt, e.Message);
            return false;
        }
    }

    private bool IsActive(string subscriptionUuid) => world.Locked(w =>
        w.WebhookSubscriptions.TryGetValue(subscriptionUuid, out var s) && s.State == WebhookState.Active);

    /// <summary>Marks the subscription as retrying; false once the failure window has passed (and the subscription is disabled).</summary>
    private bool KeepRetrying(string subscriptionUuid) => world.Locked(w =>
    {
        if (!w.WebhookSubscriptions.TryGetValue(subscriptionUuid, out var s) || s.State != WebhookState.Active) return false;
        var now = clock.GetUtcNow();
        s.RetryStartedAt ??= now;
        if (now - s.RetryStartedAt < settings.WebhookFailureWindow) return true;
        s.State = WebhookState.Disabled;
        s.UpdatedAt = now;
        return false;
    });

    private async Task RetryLaterAsync(WebhookDelivery delivery, TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken);
            queue.Enqueue(delivery);
        }
        catch (OperationCanceledException)
        {
            // The simulator is stopping; pending retries die with it.
        }
    }
}
