using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Calendly.Simulator.Tests.Support;

/// <summary>
/// A webhook endpoint on a real loopback port that records every delivery and answers with a chosen status, after a
/// chosen stall. A redirect points at /redirected, which would accept the delivery: following it would look like success.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Delivery> _deliveries = new();
    private int _attempts;
    private int _redirectsFollowed;

    public sealed record Delivery(string? Signature, byte[] Body, int Attempt)
    {
        public JsonElement Json => JsonDocument.Parse(Body).RootElement;
        public string Event => Json.Text("event");
        public JsonElement Payload => Json.GetProperty("payload");
    }

    private WebhookReceiver(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    /// <summary>The status to answer for the n-th request (1-based); 200 unless changed.</summary>
    public Func<int, int> StatusFor { get; set; } = _ => StatusCodes.Status200OK;

    /// <summary>How long to stall before answering the n-th request; not at all unless changed.</summary>
    public Func<int, TimeSpan> StallFor { get; set; } = _ => TimeSpan.Zero;

    public int RedirectsFollowed => _redirectsFollowed;

    public IReadOnlyList<Delivery> Deliveries => [.. _deliveries];

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hooks", async (HttpRequest request, HttpResponse response) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            var attempt = Interlocked.Increment(ref receiver._attempts);
            receiver._deliveries.Enqueue(new Delivery(request.Headers["Calendly-Webhook-Signature"].FirstOrDefault(), body.ToArray(), attempt));
            await Task.Delay(receiver.StallFor(attempt), request.HttpContext.RequestAborted);
            var status = receiver.StatusFor(attempt);
            if (status is >= 300 and < 400) response.Headers.Location = "/redirected";
            return Results.StatusCode(status);
        });
        app.Map("/redirected", () =>
        {
            Interlocked.Increment(ref receiver._redirectsFollowed);
            return Results.Ok();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = $"{address}/hooks";
        return receiver;
    }

    /// <summary>Waits (polling, with a deadline) until this many accepted (2xx) deliveries matching the filter have arrived.</summary>
    public Task<IReadOnlyList<Delivery>> WaitForAsync(int count, Func<Delivery, bool>? filter = null) =>
        Eventually.GetAsync<IReadOnlyList<Delivery>>(() =>
        {
            var accepted = _deliveries.Where(d => StatusFor(d.Attempt) is >= 200 and < 300 && (filter?.Invoke(d) ?? true)).ToList();
            return accepted.Count >= count ? accepted : null;
        }, what: $"{count} webhook deliveries");

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
