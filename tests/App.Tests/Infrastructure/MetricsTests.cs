using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Alba;
using App.Infrastructure.Calendly;
using App.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace App.Tests.Infrastructure;

/// <summary>
/// The Prometheus scrape endpoint: on METRICS_PORT (a real loopback port, its own server), never on the app's port; its
/// calendly_* series move with what this host does and with nothing another host does.
/// </summary>
public sealed partial class MetricsTests
{
    private sealed record MeteredApp(IAlbaHost Host, HttpClient Scraper) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Scraper.Dispose();
            await Host.DisposeAsync();
        }
    }

    private static async Task<MeteredApp> StartAsync(TestDatabase database, SimulatorServer simulator)
    {
        var port = FreeLoopbackPort();
        var settings = simulator.AppSettings();
        settings["METRICS_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var host = await AppHost.StartAsync(database.ConnectionString, settings);
        return new MeteredApp(host, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") });
    }

    [Test]
    public async Task Metrics_are_served_on_their_own_port_and_move_when_a_webhook_is_stored_and_a_token_refreshed()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var simulator = await SimulatorServer.StartAsync();
        await using var app = await StartAsync(database, simulator);

        // Gauges are there from the start; a counter appears with its first count.
        var before = await app.Scraper.GetStringAsync("/metrics");
        await Assert.That(before).Contains("# TYPE calendly_webhook_backlog gauge");
        await Assert.That(before).DoesNotContain("calendly_webhook_deliveries_total");

        var delivered = await SignedDeliveries.DeliverAsync(app.Host);
        await Assert.That(delivered.StatusCode).IsEqualTo(HttpStatusCode.OK);
        var forged = await SignedDeliveries.DeliverAsync(app.Host, signingKey: "not-the-key");
        await Assert.That(forged.StatusCode).IsEqualTo(HttpStatusCode.Unauthorized);

        var coach = await ConnectedCoaches.ConnectAsync(app.Host, database, simulator);
        await app.Host.Services.GetRequiredService<CalendlyTokens>().RefreshAsync(coach.UserId,
            CalendlyTokens.RefreshTrigger.Expiring(DateTimeOffset.UtcNow.AddDays(1)), CancellationToken.None);

        // The exporter answers a scrape from its cache of the last one for a moment (300 ms by default): wait for a fresh one.
        var after = await app.Scraper.GetStringAsync("/metrics");
        for (var deadline = DateTime.UtcNow.AddSeconds(10);
             Value(after, "calendly_webhook_deliveries_total", "result=\"stored\"") == 0 && DateTime.UtcNow < deadline; await Task.Delay(100))
            after = await app.Scraper.GetStringAsync("/metrics");
        await Assert.That(Value(after, "calendly_webhook_deliveries_total", "result=\"stored\"")).IsEqualTo(1);
        await Assert.That(Value(after, "calendly_webhook_deliveries_total", "reason=\"signature_mismatch\",result=\"refused\"")).IsEqualTo(1);
        await Assert.That(Value(after, "calendly_token_refreshes_total", "outcome=\"refreshed\",reason=\"expiring\"")).IsEqualTo(1);
        // The refresh's call to Calendly, counted by route template, not by the coach's id.
        await Assert.That(Value(after, "calendly_api_calls_total", "route=\"/oauth/token\",status=\"200\"")).IsEqualTo(1);
        // The platform's own instruments are there too (Npgsql's pools; ASP.NET Core's request durations are recorded as
        // a request ends, after its answer has reached the test, so they are not asserted here).
        await Assert.That(after).Contains("db_client_connection_count");
    }

    [Test]
    public async Task Each_host_counts_only_what_it_did()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var simulator = await SimulatorServer.StartAsync();
        await using var watched = await StartAsync(database, simulator);
        await using var other = await AppHost.StartAsync(database.ConnectionString, simulator.AppSettings());

        await Assert.That((await SignedDeliveries.DeliverAsync(other)).StatusCode).IsEqualTo(HttpStatusCode.OK);

        var scrape = await watched.Scraper.GetStringAsync("/metrics");
        await Assert.That(Value(scrape, "calendly_webhook_deliveries_total", "result=\"stored\"")).IsEqualTo(0);
    }

    [Test]
    public async Task The_app_port_does_not_serve_metrics_and_the_metrics_port_serves_nothing_else()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var simulator = await SimulatorServer.StartAsync();
        await using var app = await StartAsync(database, simulator);

        var onAppPort = await new Browser(app.Host.Server.CreateClient()).GetAsync("/metrics");
        await Assert.That(onAppPort.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
        await Assert.That(await onAppPort.Content.ReadAsStringAsync()).DoesNotContain("calendly_");

        var elsewhere = await app.Scraper.GetAsync("/healthz");
        await Assert.That(elsewhere.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
    }

    /// <summary>The value of one series in Prometheus' text format (labels as the exporter orders them), 0 when absent.</summary>
    private static double Value(string scrape, string name, string labels)
    {
        foreach (var line in scrape.Split('\n'))
        {
            var match = Series().Match(line);
            if (match.Success && match.Groups["name"].Value == name && StripScope(match.Groups["labels"].Value) == labels)
                return double.Parse(match.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture);
        }
        return 0;
    }

    // The exporter adds the meter's name (otel_scope_*) to every series; the tests name only the instrument's own labels.
    private static string StripScope(string labels) =>
        string.Join(',', labels.Split(',').Where(l => l.Length > 0 && !l.StartsWith("otel_scope_", StringComparison.Ordinal)));

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>\S+)")]
    private static partial Regex Series();

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
