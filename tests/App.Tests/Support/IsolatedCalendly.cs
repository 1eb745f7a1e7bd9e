extern alias simulator;

using Alba;
using Sim = simulator::Calendly.Simulator;

namespace App.Tests.Support;

/// <summary>
/// A simulator, a database and any number of app hosts of their own, for tests that count the simulator's requests
/// or break it on purpose: nothing else shares them, so the counts and the outage are theirs alone.
/// </summary>
public sealed class IsolatedCalendly : IAsyncDisposable
{
    private readonly List<IAlbaHost> _hosts = [];

    private IsolatedCalendly(SimulatorServer simulator, TestDatabase database)
    {
        Simulator = simulator;
        Database = database;
    }

    public SimulatorServer Simulator { get; }
    public TestDatabase Database { get; }

    public static async Task<IsolatedCalendly> StartAsync(Func<Sim.SimulatorSettings, Sim.SimulatorSettings>? configure = null) =>
        new(await SimulatorServer.StartAsync(configure), await TestDatabase.CreateAsync());

    public async Task<IAlbaHost> StartAppAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var all = Simulator.AppSettings();
        foreach (var (name, value) in settings ?? new Dictionary<string, string>()) all[name] = value;
        var host = await AppHost.StartAsync(Database.ConnectionString, all);
        _hosts.Add(host);
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts) await host.DisposeAsync();
        await Simulator.DisposeAsync();
        await Database.DisposeAsync();
    }
}
