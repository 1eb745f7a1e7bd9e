using System.Net;
using OpenTelemetry.Metrics;

namespace App.Infrastructure.Telemetry;

/// <summary>
/// The Prometheus scrape endpoint, <c>/metrics</c> on METRICS_PORT and nowhere else: a Kestrel server of its own, so the
/// public port never serves it, whatever server (or test server) the app itself runs on and however its addresses are
/// set. Bound to every interface in Production (Fly scrapes over its private network), to loopback elsewhere.
/// </summary>
public sealed class MetricsServer(TelemetryOptions options, MeterProvider meterProvider, IHostEnvironment environment,
    ILogger<MetricsServer> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.MetricsPort == 0) return;
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            if (environment.IsProduction()) kestrel.ListenAnyIP(options.MetricsPort);
            else kestrel.Listen(IPAddress.Loopback, options.MetricsPort);
        });
        var server = builder.Build();
        server.UseOpenTelemetryPrometheusScrapingEndpoint(meterProvider, predicate: null, path: "/metrics",
            configureBranchedPipeline: null, optionsName: null);
        await server.StartAsync(cancellationToken);
        _server = server;
        logger.LogInformation("Prometheus metrics on port {MetricsPort} at /metrics", options.MetricsPort);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null) await _server.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}
