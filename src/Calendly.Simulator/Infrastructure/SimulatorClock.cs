namespace Calendly.Simulator.Infrastructure;

/// <summary>
/// The simulator's notion of now: the system clock plus an offset that /_sim/clock moves. Token expiry, code expiry,
/// free times and rate-limit windows all read it, so a test can jump hours ahead without sleeping.
/// </summary>
public sealed class SimulatorClock : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public void SetNow(DateTimeOffset now) => Interlocked.Exchange(ref _offsetTicks, (now - System.GetUtcNow()).Ticks);

    public void Reset() => Interlocked.Exchange(ref _offsetTicks, 0);
}
