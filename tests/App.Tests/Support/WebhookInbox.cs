using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace App.Tests.Support;

/// <summary>
/// Receives the simulator's webhook deliveries on a loopback port, exactly as sent (raw body and signature), so tests
/// can hand real Calendly-shaped deliveries to the in-memory app.
/// </summary>
public sealed class WebhookInbox : IAsyncDisposable
{
    public sealed record Delivery(string Event, byte[] Body, string Signature);

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Delivery> _deliveries = new();

    private WebhookInbox(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    public static async Task<WebhookInbox> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var inbox = new WebhookInbox(app);
        app.MapPost("/hook", async (HttpRequest request) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            var body = buffer.ToArray();
            using var json = System.Text.Json.JsonDocument.Parse(body);
            inbox._deliveries.Enqueue(new Delivery(json.RootElement.GetProperty("event").GetString()!, body,
                request.Headers["Calendly-Webhook-Signature"].ToString()));
            return Results.Ok();
        });
        await app.StartAsync();
        inbox.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hook";
        return inbox;
    }

    /// <summary>Waits (up to ten seconds) for a delivery of the event about the given invitee.</summary>
    public async Task<Delivery> WaitForAsync(string eventName, string inviteeUri)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            var found = _deliveries.FirstOrDefault(d => d.Event == eventName && System.Text.Encoding.UTF8.GetString(d.Body).Contains(inviteeUri));
            if (found is not null) return found;
            await Task.Delay(50);
        }
        throw new TimeoutException($"No {eventName} delivery for {inviteeUri} arrived.");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
