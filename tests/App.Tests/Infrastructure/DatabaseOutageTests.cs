using System.Diagnostics;
using System.Net;
using App.Tests.Support;

namespace App.Tests.Infrastructure;

/// <summary>
/// With PostgreSQL gone (stopped, restarting, connections cut), routes answer 503 database_unavailable at once, pages a
/// page saying so, and everything works again by itself when the database is back.
/// </summary>
public sealed class DatabaseOutageTests
{
    [Test]
    [NeedsSlices("Coaches")]
    public async Task Routes_answer_503_database_unavailable_while_the_database_is_gone_and_recover_by_themselves()
    {
        await using var calendly = await IsolatedCalendly.StartAsync();
        var (proxy, throughProxy) = TcpProxy.InFrontOf(calendly.Database.ConnectionString);
        await using var _ = proxy;
        await using var host = await AppHost.StartAsync(throughProxy, calendly.Simulator.AppSettings());
        var realtor = await ConnectedCoaches.SignedInAsync(host, $"realtor-{Guid.NewGuid():N}", "realtor");
        await Assert.That((await realtor.GetAsync("/api/coaches")).StatusCode).IsEqualTo(HttpStatusCode.OK);

        proxy.Cut();
        var clock = Stopwatch.StartNew();
        var api = await realtor.GetAsync("/api/coaches");
        var page = await realtor.GetAsync("/coaches");
        var took = clock.Elapsed;

        await Assert.That(api.StatusCode).IsEqualTo(HttpStatusCode.ServiceUnavailable);
        await Assert.That((await Browser.JsonAsync(api)).GetProperty("error").GetProperty("code").GetString()).IsEqualTo("database_unavailable");
        await Assert.That(page.StatusCode).IsEqualTo(HttpStatusCode.ServiceUnavailable);
        await Assert.That(await page.Content.ReadAsStringAsync()).Contains("Temporarily unavailable");
        await Assert.That(took).IsLessThan(TimeSpan.FromSeconds(5));

        // Back: the pool drops the connections the outage broke and opens new ones; no restart, no operator.
        proxy.Open();
        var status = HttpStatusCode.ServiceUnavailable;
        for (var deadline = DateTime.UtcNow.AddSeconds(10); status != HttpStatusCode.OK && DateTime.UtcNow < deadline; await Task.Delay(100))
            status = (await realtor.GetAsync("/api/coaches")).StatusCode;
        await Assert.That(status).IsEqualTo(HttpStatusCode.OK);
    }
}
