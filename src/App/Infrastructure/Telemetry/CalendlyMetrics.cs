using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace App.Infrastructure.Telemetry;

/// <summary>
/// The sync layer's instruments (<c>calendly_*</c>, docs/operations.md says what each means and what to alert on),
/// made through this host's <see cref="IMeterFactory"/>, so that each host (a test's included) counts only its own. No
/// instrument is labelled by coach: a label per coach would grow with the customer base, and the operations page has
/// the per-coach detail. Recording is a counter increment: nothing is allocated on the free-times hot path.
/// The figures a process alone knows (its Calendly calls, its cache lookups) are also kept as plain totals, which the
/// operations page samples every minute (<see cref="ProcessTotals"/>).
/// </summary>
public sealed class CalendlyMetrics
{
    public const string MeterName = "Calendly.Slices";

    // Seconds, from a cache hit's microseconds to a backed-off coach's hour.
    private static readonly InstrumentAdvice<double> SecondsBuckets = new()
    {
        HistogramBucketBoundaries = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600],
    };

    private readonly Counter<long> _tokenRefreshes;
    private readonly Counter<long> _webhookDeliveries;
    private readonly Counter<long> _webhookEvents;
    private readonly Histogram<double> _webhookLag;
    private readonly Counter<long> _freeTimesCache;
    private readonly Counter<long> _apiCalls;
    private readonly Counter<long> _apiRateLimited;
    private readonly Counter<long> _jobRuns;
    private readonly Histogram<double> _jobDuration;
    private readonly Counter<long> _availabilitySyncs;
    private readonly Histogram<double> _availabilitySyncLag;

    private readonly ConcurrentDictionary<string, int> _circuits = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _jobLastRuns = new();
    private long _rateLimitRemaining = -1;
    private DatabaseFigures? _database;

    private long _calls, _callErrors, _callsRateLimited, _cacheHits, _cacheMisses, _cacheStale;

    public CalendlyMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _tokenRefreshes = meter.CreateCounter<long>("calendly_token_refreshes", "{refresh}",
            "Token refreshes, by outcome (refreshed, already_fresh, failed, dead_grant) and reason (why it was wanted, or why it failed)");
        _webhookDeliveries = meter.CreateCounter<long>("calendly_webhook_deliveries", "{delivery}",
            "Webhook deliveries received, by result (stored, duplicate, invalid, refused, unavailable) and, when refused, reason");
        _webhookEvents = meter.CreateCounter<long>("calendly_webhook_events", "{event}",
            "Stored webhook events handled by the processor, by result (applied, failed, parked)");
        _webhookLag = meter.CreateHistogram("calendly_webhook_lag", "s",
            "From a webhook delivery's arrival to its effects being committed", advice: SecondsBuckets);
        _freeTimesCache = meter.CreateCounter<long>("calendly_free_times_cache", "{lookup}",
            "Free-times lookups, by result (hit, miss: Calendly was asked, stale: the last good answer was served)");
        _apiCalls = meter.CreateCounter<long>("calendly_api_calls", "{attempt}",
            "Attempts of calls to Calendly (each retry counts), by route template and status (the HTTP status, or error)");
        _apiRateLimited = meter.CreateCounter<long>("calendly_api_rate_limited", "{attempt}",
            "Attempts Calendly answered 429, by route template");
        _jobRuns = meter.CreateCounter<long>("calendly_job_runs", "{run}", "Background job runs, by job and outcome (succeeded, failed)");
        _jobDuration = meter.CreateHistogram("calendly_job_duration", "s", "How long a background job run took, by job", advice: SecondsBuckets);
        _availabilitySyncs = meter.CreateCounter<long>("calendly_availability_syncs", "{coach}",
            "Coaches handled by the availability sync, by outcome (synced, skipped, failed)");
        _availabilitySyncLag = meter.CreateHistogram("calendly_availability_sync_lag", "s",
            "Time since a coach's previous sync when the sync claims them", advice: SecondsBuckets);

        meter.CreateObservableGauge("calendly_api_circuit_state", ObserveCircuits, "{state}",
            "The circuit breaker of each Calendly host: 0 closed, 1 half-open (trying), 2 open (failing fast)");
        meter.CreateObservableGauge("calendly_api_rate_limit_remaining", ObserveRateLimitRemaining, "{request}",
            "The last X-RateLimit-Remaining Calendly sent this instance");
        meter.CreateObservableGauge("calendly_job_last_run", ObserveJobLastRuns, "s", "When each background job last finished a run (Unix time)");
        meter.CreateObservableGauge("calendly_connections", ObserveConnections, "{connection}",
            "Calendly connections by status (active, needs_reconnect), as PostgreSQL last said");
        meter.CreateObservableGauge("calendly_webhook_backlog", ObserveBacklog, "{event}",
            "Stored webhook events waiting to be applied (parked ones apart), as PostgreSQL last said");
        meter.CreateObservableGauge("calendly_webhook_parked", ObserveParked, "{event}",
            "Webhook events parked for an operator, as PostgreSQL last said");
    }

    // ---- Tokens

    public void TokenRefreshed(string outcome, string reason) =>
        _tokenRefreshes.Add(1, new("outcome", outcome), new("reason", reason));

    // ---- Webhooks

    public void WebhookDelivery(string result, string? reason = null)
    {
        if (reason is null) _webhookDeliveries.Add(1, new KeyValuePair<string, object?>("result", result));
        else _webhookDeliveries.Add(1, new("result", result), new("reason", reason));
    }

    public void WebhookEvents(string result, int count)
    {
        if (count > 0) _webhookEvents.Add(count, new KeyValuePair<string, object?>("result", result));
    }

    public void WebhookApplied(TimeSpan lag) => _webhookLag.Record(lag.TotalSeconds);

    // ---- Free times

    public void FreeTimesLookup(bool fetched, bool stale)
    {
        var result = stale ? "stale" : fetched ? "miss" : "hit";
        _freeTimesCache.Add(1, new KeyValuePair<string, object?>("result", result));
        if (stale) Interlocked.Increment(ref _cacheStale);
        else if (fetched) Interlocked.Increment(ref _cacheMisses);
        else Interlocked.Increment(ref _cacheHits);
    }

    // ---- Calendly calls

    /// <summary>One attempt; <paramref name="status"/> null when no answer came (network error, timeout).</summary>
    public void CalendlyAttempt(string route, int? status, long? rateLimitRemaining)
    {
        _apiCalls.Add(1, new("route", route), new("status", status is { } code ? StatusText(code) : "error"));
        Interlocked.Increment(ref _calls);
        if (status is null or >= 500) Interlocked.Increment(ref _callErrors);
        if (status == 429)
        {
            _apiRateLimited.Add(1, new KeyValuePair<string, object?>("route", route));
            Interlocked.Increment(ref _callsRateLimited);
        }
        if (rateLimitRemaining is { } remaining) Interlocked.Exchange(ref _rateLimitRemaining, remaining);
    }

    public enum CircuitState { Closed = 0, HalfOpen = 1, Open = 2 }

    public void Circuit(string host, CircuitState state) => _circuits[host] = (int)state;

    // ---- Jobs

    public void JobRun(string job, bool succeeded, TimeSpan duration, DateTimeOffset finishedAt)
    {
        _jobRuns.Add(1, new("job", job), new("outcome", succeeded ? "succeeded" : "failed"));
        _jobDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("job", job));
        _jobLastRuns[job] = finishedAt;
    }

    public void AvailabilitySync(string outcome) => _availabilitySyncs.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void AvailabilitySyncLag(TimeSpan lag) => _availabilitySyncLag.Record(lag.TotalSeconds);

    // ---- What PostgreSQL says (DatabaseGauges reads it every few seconds)

    public sealed record DatabaseFigures(IReadOnlyDictionary<string, long> ConnectionsByStatus, long Backlog, long Parked);

    public void Observed(DatabaseFigures figures) => Volatile.Write(ref _database, figures);

    // ---- For the operations page

    /// <summary>Everything this process counted since it started.</summary>
    public sealed record ProcessTotals(long Calls, long CallErrors, long CallsRateLimited, long CacheHits, long CacheMisses, long CacheStale);

    public ProcessTotals Totals() => new(Interlocked.Read(ref _calls), Interlocked.Read(ref _callErrors),
        Interlocked.Read(ref _callsRateLimited), Interlocked.Read(ref _cacheHits), Interlocked.Read(ref _cacheMisses),
        Interlocked.Read(ref _cacheStale));

    // The usual codes as literals: no string is made per call.
    private static string StatusText(int code) => code switch
    {
        200 => "200", 201 => "201", 204 => "204", 400 => "400", 401 => "401", 403 => "403", 404 => "404", 409 => "409",
        429 => "429", 500 => "500", 502 => "502", 503 => "503", 504 => "504",
        _ => code.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private IEnumerable<Measurement<int>> ObserveCircuits() =>
        _circuits.Select(c => new Measurement<int>(c.Value, new KeyValuePair<string, object?>("host", c.Key)));

    private IEnumerable<Measurement<long>> ObserveRateLimitRemaining() =>
        Interlocked.Read(ref _rateLimitRemaining) is >= 0 and var remaining ? [new Measurement<long>(remaining)] : [];

    private IEnumerable<Measurement<double>> ObserveJobLastRuns() =>
        _jobLastRuns.Select(j => new Measurement<double>(j.Value.ToUnixTimeMilliseconds() / 1000.0, new KeyValuePair<string, object?>("job", j.Key)));

    private IEnumerable<Measurement<long>> ObserveConnections() =>
        Volatile.Read(ref _database) is { } figures
            ? figures.ConnectionsByStatus.Select(s => new Measurement<long>(s.Value, new KeyValuePair<string, object?>("status", s.Key)))
            : [];

    private IEnumerable<Measurement<long>> ObserveBacklog() =>
        Volatile.Read(ref _database) is { } figures ? [new Measurement<long>(figures.Backlog)] : [];

    private IEnumerable<Measurement<long>> ObserveParked() =>
        Volatile.Read(ref _database) is { } figures ? [new Measurement<long>(figures.Parked)] : [];
}
