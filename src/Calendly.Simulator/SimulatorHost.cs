using System.Net;
using Calendly.Simulator.Api;
using Calendly.Simulator.Control;
using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.OAuth;
using Calendly.Simulator.Pages;
using Calendly.Simulator.Scheduling;
using Calendly.Simulator.Traffic;
using Calendly.Simulator.Webhooks;

namespace Calendly.Simulator;

/// <summary>
/// Builds the simulator's web host. Program runs it with settings from the environment; tests build it with their own
/// settings on a free loopback port (Port = 0) and read <see cref="BaseUrl"/> after start.
/// </summary>
public static class SimulatorHost
{
    public static WebApplication Build(SimulatorSettings settings, Action<WebApplicationBuilder>? configure = null, string[]? args = null)
    {
        var builder = WebApplication.CreateBuilder(args ?? []);
        // Port 0 is for tests: a free port on loopback. Otherwise localhost only; a container sets ASPNETCORE_URLS instead.
        if (settings.Port is { } port)
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                if (port == 0) kestrel.Listen(IPAddress.Loopback, 0);
                else kestrel.ListenLocalhost(port);
            });
        builder.Services.AddSimulator(settings);
        configure?.Invoke(builder);

        var app = builder.Build();
        // Order matters: stats see the final status; the error boundary turns any exception into Calendly's 500; faults
        // act before authentication (an outage is an outage whatever the token); the rate limit counts known users whose
        // token may call the route.
        app.UseMiddleware<StatsRecorder>();
        app.UseMiddleware<ErrorBoundary>();
        app.UseRouting();
        app.UseMiddleware<FaultInjection>();
        app.UseMiddleware<BearerAuthentication>();
        app.UseMiddleware<ScopeEnforcement>();
        app.UseMiddleware<RateLimiting>();

        var api = app.MapGroup("").WithMetadata(EndpointKind.Api);
        UsersApi.Map(api);
        EventTypesApi.Map(api);
        ScheduledEventsApi.Map(api);
        InviteesApi.Map(api);
        SchedulingApi.Map(api);
        CancellationApi.Map(api);
        NoShowsApi.Map(api);
        AvailabilityApi.Map(api);
        WebhooksApi.Map(api);
        SampleWebhookDataApi.Map(api);
        OAuthEndpoints.Map(app);
        BookingPages.Map(app);
        CancelPages.Map(app);
        ReschedulePages.Map(app);
        ControlEndpoints.Map(app.MapGroup("/_sim"));
        app.MapFallback(() => CalendlyErrors.NotFound());
        return app;
    }

    /// <summary>The base URL of every resource URI; after start it is known even when the port was picked by the OS.</summary>
    public static string BaseUrl(this WebApplication app) => app.Services.GetRequiredService<ResourceUris>().BaseUrl;

    private static void AddSimulator(this IServiceCollection services, SimulatorSettings settings)
    {
        services.AddSingleton(settings);
        services.AddSingleton<SimulatorClock>();
        services.AddSingleton<TimeProvider>(sp => sp.GetRequiredService<SimulatorClock>());
        services.AddSingleton<World.WorldStore>();
        services.AddSingleton<ResourceUris>();
        services.AddSingleton<OAuthClients>();
        services.AddSingleton<TokenStore>();
        services.AddSingleton<TokenIssuer>();
        services.AddSingleton<FaultRules>();
        services.AddSingleton<RateLimiter>();
        services.AddSingleton<BookingBudget>();
        services.AddSingleton<RequestStats>();
        services.AddSingleton<Bookings>();
        services.AddSingleton<WebhookPublisher>();
        services.AddSingleton<DeliveryQueue>();
        services.AddHostedService<WebhookDeliveryWorker>();
        // Each delivery bounds itself (the handler's connect timeout, then its own read deadline), so the client's overall timeout is off.
        services.AddHttpClient(WebhookDeliveryWorker.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => WebhookDeliveryWorker.Handler(settings));
        services.ConfigureHttpJsonOptions(o => CalendlyJson.Configure(o.SerializerOptions));
        // Binding failures throw, so the error boundary answers them with Calendly's 400 instead of an empty one.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
    }
}
