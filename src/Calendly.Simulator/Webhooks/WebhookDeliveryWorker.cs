using System.Net;
using System.Net.Sockets;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Webhooks;

/// <summary>
/// Sends queued webhooks, several at a time so that one slow receiver does not hold up the others. As at Calendly only a
/// 2xx answer is a success: a redirect (never followed), any other status or a timeout (connect, then read) is retried
/// with exponential backoff; the subscription records retry_started_at, and once it has failed for the whole failure
/// window (Calendly: 24 hours, by the simulator clock) it is disabled and its messages are dropped. A 410 Gone deletes the
/// subscription at once.
/// </summary>
public sealed class WebhookDeliveryWorker(DeliveryQueue queue, IHttpClientFactory httpClients, WorldStore world, TimeProvider clock,
    SimulatorSettings settings, ILogger<WebhookDeliveryWorker> logger) : BackgroundService
{
    public const string HttpClientName = "webhooks";
    private const int ParallelDeliveries = 8;
    private static readonly HttpRequestOptionsKey<CancellationTokenSource> ReadDeadline = new("webhook-read-deadline");

    private enum Outcome { Delivered, Failed, Gone }

    /// <summary>
    /// The connections of deliveries: redirects are not followed, connecting may take the connect timeout. The read timeout
    /// has to start once the connection is ready, which HttpClient.Timeout cannot do (it counts connecting too), so each
    /// delivery arms its own read deadline when it is sent (right for a pooled connection) and a connection made for it
    /// holds that deadline while the socket connects.
    /// </summary>
    public static SocketsHttpHandler Handler(SimulatorSettings settings) => new()
    {
        AllowAutoRedirect = false,
        ConnectTimeout = settings.WebhookConnectTimeout,
        ConnectCallback = async (context, cancellationToken) =>
        {
            context.InitialRequestMessage.Options.TryGetValue(ReadDeadline, out var readDeadline);
            MoveReadDeadline(readDeadline, Timeout.InfiniteTimeSpan);
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            finally
            {
                MoveReadDeadline(readDeadline, settings.WebhookReadTimeout);
            }
        },
    };

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Parallel.ForEachAsync(queue.Reader.ReadAllAsync(stoppingToken),
            new ParallelOptions { MaxDegreeOfParallelism = ParallelDeliveries, CancellationToken = stoppingToken },
            async (delivery, cancellationToken) => await DeliverAsync(delivery, cancellationToken));

    private async Task DeliverAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        if (!IsActive(delivery.SubscriptionUuid)) return;
        switch (await SendAsync(delivery, cancellationToken))
        {
            case Outcome.Delivered:
                world.Locked(w =>
                {
                    if (w.WebhookSubscriptions.TryGetValue(delivery.SubscriptionUuid, out var s)) s.RetryStartedAt = null;
                });
                return;
            case Outcome.Gone:
                world.Locked(w => { w.WebhookSubscriptions.Remove(delivery.SubscriptionUuid); });
                return;
        }
        if (!KeepRetrying(delivery.SubscriptionUuid)) return;
        var delay = TimeSpan.FromTicks(Math.Min(settings.WebhookRetryMaxDelay.Ticks,
            settings.WebhookRetryBaseDelay.Ticks * (1L << Math.Min(delivery.Attempt - 1, 30))));
        _ = RetryLaterAsync(delivery with { Attempt = delivery.Attempt + 1 }, delay, cancellationToken);
    }

    private async Task<Outcome> SendAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = new ByteArrayContent(delivery.Body) };
        request.Content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation(WebhookSigner.Header,
            WebhookSigner.Sign(delivery.SigningKey, clock.GetUtcNow().ToUnixTimeSeconds(), delivery.Body));
        using var readDeadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        readDeadline.CancelAfter(settings.WebhookReadTimeout);
        request.Options.Set(ReadDeadline, readDeadline);
        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, readDeadline.Token);
            return response.IsSuccessStatusCode ? Outcome.Delivered
                : response.StatusCode == HttpStatusCode.Gone ? Outcome.Gone
                : Outcome.Failed;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogInformation("Webhook delivery to {Url} failed (attempt {Attempt}): {Reason}", delivery.Url, delivery.Attempt, e.Message);
            return Outcome.Failed;
        }
    }

    private static void MoveReadDeadline(CancellationTokenSource? readDeadline, TimeSpan delay)
    {
        try
        {
            readDeadline?.CancelAfter(delay);
        }
        catch (ObjectDisposedException)
        {
            // The pool served that delivery from another connection and it is over; its deadline went with it.
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
