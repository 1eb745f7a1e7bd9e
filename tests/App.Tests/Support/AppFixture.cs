using Alba;
using Carter;
using Microsoft.Extensions.DependencyInjection;
using TUnit.Core.Interfaces;

namespace App.Tests.Support;

/// <summary>
/// One app per test session in its embedded default mode: development sign-in, and Calendly simulated by a real
/// simulator server on a loopback port.
/// </summary>
public sealed class AppFixture : IAsyncInitializer, IAsyncDisposable
{
    public TestDatabase Database { get; private set; } = null!;
    public SimulatorServer Simulator { get; private set; } = null!;
    public IAlbaHost Host { get; private set; } = null!;
    public CapturedLogs Logs { get; } = new();

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        Simulator = await SimulatorServer.StartAsync();
        // The test assembly's own routes (FaultsModule) produce each error class through the real pipeline.
        // Tests break Calendly for their own coach only (per-user faults), but the circuit breaker counts every coach's
        // calls to the host: here it never opens, so one test's outage cannot fail another's calls. The breaker itself
        // is tested on hosts of its own (CalendlyOutageTests).
        var settings = Simulator.AppSettings();
        settings["CALENDLY_BREAKER_MIN_THROUGHPUT"] = "10000";
        Host = await AppHost.StartAsync(Database.ConnectionString, settings, logs: Logs,
            services: s => s.AddSingleton<ICarterModule, Infrastructure.FaultsModule>());
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Simulator.DisposeAsync();
        await Database.DisposeAsync();
    }

    public Browser NewBrowser() => new(Host.Server.CreateClient());
}
