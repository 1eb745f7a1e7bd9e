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
        await using var host = await AppHost.StartAsync(throughProxy, calendly.Simulator.AppSettings().WithDeployedDatabaseTimeouts());
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

    [Test]
    [NeedsSlices("Coaches", "EventTypes", "Scheduled", "Status")]
    public async Task Routes_answer_within_5_seconds_while_the_database_hangs_and_recover_when_it_answers_again()
    {
        await using var calendly = await IsolatedCalendly.StartAsync();
        var (proxy, throughProxy) = TcpProxy.InFrontOf(calendly.Database.ConnectionString);
        await using var _ = proxy;
        await using var host = await AppHost.StartAsync(throughProxy, calendly.Simulator.AppSettings().WithDeployedDatabaseTimeouts());
        var coach = await ConnectedCoaches.ConnectAsync(host, calendly.Database, calendly.Simulator);
        var coachBrowser = await ConnectedCoaches.SignedInAsync(host, coach.ExternalId, "coach");
        var realtor = await ConnectedCoaches.SignedInAsync(host, $"realtor-{Guid.NewGuid():N}", "realtor");
        var routes = new (Browser Browser, string Path)[]
        {
            (realtor, "/api/coaches"), (realtor, "/coaches"), (coachBrowser, "/api/calendly/status"),
            (coachBrowser, "/api/calendly/events/types"), (coachBrowser, "/api/calendly/events/scheduled"),
        };
        foreach (var (browser, path) in routes)
            await Assert.That((await browser.GetAsync(path)).StatusCode).IsEqualTo(HttpStatusCode.OK).Because(path);

        // SIGSTOP: connections stay open and new ones are accepted, but PostgreSQL never answers.
        proxy.Freeze();
        var answers = await Task.WhenAll(routes.Select(async route =>
        {
            var clock = Stopwatch.StartNew();
            var response = await route.Browser.GetAsync(route.Path);
            return (route.Path, Response: response, Took: clock.Elapsed);
        }));

        foreach (var (path, response, took) in answers)
        {
            // Answered from what the app already holds (200), or refused as an outage; never a 500, never late.
            await Assert.That(response.StatusCode).IsIn(HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable).Because(path);
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable && path.StartsWith("/api/", StringComparison.Ordinal))
                await Assert.That((await Browser.JsonAsync(response)).GetProperty("error").GetProperty("code").GetString())
                    .IsEqualTo("database_unavailable").Because(path);
            await Assert.That(took).IsLessThan(TimeSpan.FromSeconds(5)).Because(path);
        }
        await Assert.That(answers.Count(a => a.Response.StatusCode == HttpStatusCode.ServiceUnavailable)).IsGreaterThan(0);

        proxy.Thaw();
        var status = HttpStatusCode.ServiceUnavailable;
        for (var deadline = DateTime.UtcNow.AddSeconds(20); status != HttpStatusCode.OK && DateTime.UtcNow < deadline; await Task.Delay(100))
            status = (await realtor.GetAsync("/api/coaches")).StatusCode;
        await Assert.That(status).IsEqualTo(HttpStatusCode.OK);
    }
}
