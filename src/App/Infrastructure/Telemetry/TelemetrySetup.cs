using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace App.Infrastructure.Telemetry;

/// <summary>Where metrics are scraped and how this instance is named in them (and on the operations page).</summary>
public sealed record TelemetryOptions : IFlatSettings
{
    /// <summary>The port of the Prometheus scrape endpoint (<see cref="MetricsServer"/>); 0: none.</summary>
    public int MetricsPort { get; set; }

    /// <summary>Fly's machine id where there is one (what Fly's own metrics call the instance), else the host name.</summary>
    public string Instance { get; set; } = "";

    public void Read(SettingsReader settings)
    {
        MetricsPort = (int)settings.Number("METRICS_PORT", 9091, 0, 65535);
        Instance = InstanceName(settings.Text("FLY_MACHINE_ID"));
    }

    internal static string InstanceName(string? flyMachineId) => flyMachineId ?? Environment.MachineName;
}

/// <summary>
/// OpenTelemetry, decided once. Metrics always (ASP.NET Core, HttpClient, the runtime, Npgsql and the sync layer's
/// <see cref="CalendlyMetrics"/>), scraped by Prometheus on a port of their own; traces (incoming requests, Calendly
/// calls with each attempt, PostgreSQL commands, background runs) and logs leave over OTLP when the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, and only then is anything traced: with nobody to send spans to, a request
/// pays for none.
/// </summary>
public static class TelemetrySetup
{
    public const string ServiceName = "calendly-slices";

    /// <summary>The app's own spans: a run of a background job, a webhook batch, a call to Calendly around its attempts.</summary>
    public static readonly ActivitySource Source = new("Calendly.Slices");

    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddFlatSettings<TelemetryOptions>();
        services.AddSingleton<CalendlyMetrics>();
        services.AddHostedService<DatabaseGauges>().AddHostedService<MetricsServer>();
        // Log lines carry the trace they were written in (the error envelope's traceId).
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);

        // Only this host's calendly_* instruments (MeterScope.Local): test hosts share a process, and a meter name alone
        // would gather every host's counts into each one's scrape.
        builder.Metrics.EnableMetrics(CalendlyMetrics.MeterName, scopes: MeterScope.Local);

        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName,
                serviceInstanceId: TelemetryOptions.InstanceName(builder.Configuration["FLY_MACHINE_ID"])))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddPrometheusExporter());
        if (otlp)
        {
            telemetry
                .WithTracing(tracing => tracing
                    .AddSource(Source.Name)
                    .AddAspNetCoreInstrumentation()
                    // One span per attempt: the handler is below the resilience pipeline, so retries show.
                    .AddHttpClientInstrumentation()
                    .AddNpgsql())
                .WithLogging()
                .UseOtlpExporter();
        }
        return builder;
    }

    /// <summary>
    /// PostgreSQL commands become spans inside a trace (a request, a job run, a webhook batch) and never start one: the
    /// webhook processor's poll and the cache listener would otherwise make a trace of their own every second.
    /// </summary>
    public static void TraceCommandsInTraces(NpgsqlDataSourceBuilder dataSource) =>
        dataSource.ConfigureTracing(tracing => tracing
            .ConfigureCommandFilter(_ => Activity.Current is not null)
            .ConfigureBatchFilter(_ => Activity.Current is not null));
}
