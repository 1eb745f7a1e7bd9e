namespace Calendly.Simulator.World;

/// <summary>
/// The one gate to the in-memory world: every read and change runs under a single lock, which keeps multi-step changes
/// (book a slot, cancel an event and its invitees) atomic. Plenty fast for a simulator.
/// </summary>
public sealed class WorldStore(SimulatorSettings settings, TimeProvider clock)
{
    private readonly Lock _gate = new();
    private SimulatedWorld _world = WorldSeeder.Seed(settings.Seed, clock.GetUtcNow(), settings.SlotStepMinutes);

    public T Locked<T>(Func<SimulatedWorld, T> use)
    {
        lock (_gate) return use(_world);
    }

    public void Locked(Action<SimulatedWorld> use)
    {
        lock (_gate) use(_world);
    }

    /// <summary>Throws away every change: the seeded world again, dated from the clock's now.</summary>
    public void Reset()
    {
        var fresh = WorldSeeder.Seed(settings.Seed, clock.GetUtcNow(), settings.SlotStepMinutes);
        lock (_gate) _world = fresh;
    }
}
