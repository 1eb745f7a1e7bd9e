using TUnit.Core.Interfaces;

namespace Calendly.Simulator.Tests.Support;

/// <summary>One simulator per test session; tests that change global state (clock, reset) start their own instead.</summary>
public sealed class SimulatorFixture : IAsyncInitializer, IAsyncDisposable
{
    public TestSimulator Simulator { get; private set; } = null!;

    public async Task InitializeAsync() => Simulator = await TestSimulator.StartAsync();

    public ValueTask DisposeAsync() => Simulator.DisposeAsync();
}
