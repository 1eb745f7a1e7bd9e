namespace App.Infrastructure.Jobs;

/// <summary>
/// The loop every background job shares: a run at start (after <see cref="FirstRunDelay"/>), then one every
/// <see cref="Interval"/>. A failed run is logged and the next tick tries again: a database or Calendly outage must not
/// stop the host. The work itself lives in a static method of the job's feature, which tests call directly.
/// </summary>
public abstract class PeriodicJob(TimeProvider clock, ILogger logger) : BackgroundService
{
    protected TimeProvider Clock { get; } = clock;

    protected abstract bool Enabled { get; }

    protected abstract TimeSpan Interval { get; }

    protected virtual TimeSpan FirstRunDelay => TimeSpan.Zero;

    /// <summary>One run; returns what it did, for the log.</summary>
    protected abstract Task<string> RunOnceAsync(CancellationToken ct);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled) return;
        using var timer = new PeriodicTimer(Interval, Clock);
        if (FirstRunDelay > TimeSpan.Zero) await Task.Delay(FirstRunDelay, Clock, stoppingToken);
        do
        {
            try
            {
                logger.LogInformation("{Job}: {Summary}", GetType().Name, await RunOnceAsync(stoppingToken));
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "{Job} run failed; trying again in {Interval}", GetType().Name, Interval);
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                // The host is stopping: whatever the interrupted run threw (not always a cancellation) ends the loop quietly.
                return;
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
