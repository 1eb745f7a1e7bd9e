using System.Diagnostics;
using System.Net;
using System.Text;
using App.Features.Webhooks;
using App.Tests.Support;
using Dapper;

namespace App.Tests.Features.Webhooks;

/// <summary>
/// A frozen database (PostgreSQL stopped with SIGSTOP, a stuck disk) must not hold Calendly's deliveries: one not
/// committed within WEBHOOK_STORE_TIMEOUT_SECONDS is refused at once, and its redelivery after the freeze is stored once.
/// A database that is gone (stopped, restarting) refuses the delivery too, and its redelivery is stored once it is back.
/// </summary>
public sealed class WebhookStoreTimeoutTests
{
    [Test]
    public async Task A_delivery_the_frozen_database_cannot_commit_is_refused_in_time_and_its_redelivery_stored_once()
    {
        await using var calendly = await IsolatedCalendly.StartAsync();
        var (proxy, throughProxy) = TcpProxy.InFrontOf(calendly.Database.ConnectionString);
        await using var _ = proxy;
        var settings = calendly.Simulator.AppSettings().WithDeployedDatabaseTimeouts();
        settings["WEBHOOK_STORE_TIMEOUT_SECONDS"] = "1";
        await using var host = await AppHost.StartAsync(throughProxy, settings);
        var invitee = $"https://api.calendly.test/scheduled_events/{Guid.NewGuid()}/invitees/{Guid.NewGuid()}";
        var body = Encoding.UTF8.GetBytes($$$"""{"event":"routing_form_submission.created","created_at":"2026-02-01T10:00:00.000000Z","payload":{"uri":"{{{invitee}}}"}}""");

        proxy.Freeze();
        var clock = Stopwatch.StartNew();
        var refused = await DeliverAsync(host, body);
        var took = clock.Elapsed;
        proxy.Thaw();

        await Assert.That(refused.StatusCode).IsEqualTo(HttpStatusCode.ServiceUnavailable);
        await Assert.That(took).IsLessThan(TimeSpan.FromSeconds(5));
        // Calendly delivers again; whether or not the first commit landed once the database came back, one row.
        HttpResponseMessage again;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        do again = await DeliverAsync(host, body);
        while (again.StatusCode != HttpStatusCode.OK && DateTime.UtcNow < deadline);
        await Assert.That(again.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await using var db = await calendly.Database.OpenAsync();
        await Assert.That(await db.ExecuteScalarAsync<int>(
            "select count(*) from calendly_webhook_events where payload::text like '%' || @invitee || '%'", new { invitee })).IsEqualTo(1);
    }

    [Test]
    public async Task A_delivery_while_the_database_is_gone_is_refused_and_its_redelivery_stored_once_it_is_back()
    {
        await using var calendly = await IsolatedCalendly.StartAsync();
        var (proxy, throughProxy) = TcpProxy.InFrontOf(calendly.Database.ConnectionString);
        await using var _ = proxy;
        await using var host = await AppHost.StartAsync(throughProxy, calendly.Simulator.AppSettings());
        var invitee = $"https://api.calendly.test/scheduled_events/{Guid.NewGuid()}/invitees/{Guid.NewGuid()}";
        var body = Encoding.UTF8.GetBytes($$$"""{"event":"routing_form_submission.created","created_at":"2026-02-01T10:00:00.000000Z","payload":{"uri":"{{{invitee}}}"}}""");

        // Stopped or restarting: connections refused and the open ones dropped.
        proxy.Cut();
        var refused = await DeliverAsync(host, body);
        proxy.Open();

        await Assert.That(refused.StatusCode).IsEqualTo(HttpStatusCode.ServiceUnavailable);
        // Calendly delivers again until it is acknowledged; nothing is lost, nothing stored twice.
        var again = await DeliverAsync(host, body);
        for (var deadline = DateTime.UtcNow.AddSeconds(30); again.StatusCode != HttpStatusCode.OK && DateTime.UtcNow < deadline;
             again = await DeliverAsync(host, body))
            await Task.Delay(100);
        await Assert.That(again.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await using var db = await calendly.Database.OpenAsync();
        await Assert.That(await db.ExecuteScalarAsync<int>(
            "select count(*) from calendly_webhook_events where payload::text like '%' || @invitee || '%'", new { invitee })).IsEqualTo(1);
    }

    private static Task<HttpResponseMessage> DeliverAsync(Alba.IAlbaHost host, byte[] body)
    {
        var signature = CalendlyDeliveries.Sign(body, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/calendly/webhooks") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add(WebhooksModule.SignatureHeader, signature);
        return host.Server.CreateClient().SendAsync(request);
    }
}
