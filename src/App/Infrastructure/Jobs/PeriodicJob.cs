using System.Diagnostics;
using App.Infrastructure.Telemetry;

namespace App.Infrastructure.Jobs;

/// <summary>
/// The loop every background job shares: a run at start (after <see cref="FirstRunDelay"/>), then one every
/// <see cref="Interval"/>, or sooner when the job knows of new work (<see cref="WaitForNextRunAsync"/>). A failed run is
/// logged and the next one tries again: a database or Calendly outage must not stop the host. The work itself lives
/// in a static method of the job's feature, which tests call directly; the worker takes what that needs (singletons,
/// every one of them) in its constructor. Each run is counted (calendly_job_runs, _duration, _last_run) and, unless
/// the job says otherwise, traced as one trace.
/// </summary>
public abstract class PeriodicJob(TimeProvider clock, CalendlyMetrics metrics, ILogger logger) : BackgroundService
{
    private PeriodicTimer? _timer;

    protected TimeProvider Clock { get; } = clock;

    protected CalendlyMetrics Metrics { get; } = metrics;

    protected abstract bool Enabled { get; }

    protected abstract TimeSpan Interval { get; }

    protected virtual TimeSpan FirstRunDelay => TimeSpan.Zero;

    /// <summary>Whether each run is a trace; a job that runs every second traces its units of work instead.</summary>
    protected virtual bool TracesRuns => true;

    /// <summary>One run; returns what it did, for the log, or null when there is nothing worth a line.</summary>
    protected abstract Task<string?> RunOnceAsync(CancellationToken ct);

    /// <summary>Until the next tick of the interval; false when the loop should end.</summary>
    protected virtual async Task<bool> WaitForNextRunAsync(CancellationToken ct) => await _timer!.WaitForNextTickAsync(ct);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled) return;
        using var timer = _timer = new PeriodicTimer(Interval, Clock);
        if (FirstRunDelay > TimeSpan.Zero) await Task.Delay(FirstRunDelay, Clock, stoppingToken);
        var job = GetType().Name;
        do
        {
            var started = Stopwatch.GetTimestamp();
            using var trace = TracesRuns ? TelemetrySetup.Source.StartActivity(job) : null;
            try
            {
                if (await RunOnceAsync(stoppingToken) is { } summary) logger.LogInformation("{Job}: {Summary}", job, summary);
                Metrics.JobRun(job, succeeded: true, Stopwatch.GetElapsedTime(started), Clock.GetUtcNow());
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                Metrics.JobRun(job, succeeded: false, Stopwatch.GetElapsedTime(started), Clock.GetUtcNow());
                trace?.SetStatus(ActivityStatusCode.Error, e.Message);
                logger.LogError(e, "{Job} run failed; trying again in {Interval}", job, Interval);
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                // The host is stopping: whatever the interrupted run threw (not always a cancellation) ends the loop quietly.
                return;
            }
        }
        while (await WaitForNextRunAsync(stoppingToken));
    }
}
