namespace App.Features.Webhooks;

/// <summary>Receiving Calendly's webhooks (size cap, signature time tolerance) and processing them (retries, parking).</summary>
public sealed record WebhookOptions : IFlatSettings
{
    public int MaxBodyBytes { get; set; }
    public TimeSpan Tolerance { get; set; }
    public bool ProcessingEnabled { get; set; }
    public TimeSpan PollInterval { get; set; }
    public int MaxAttempts { get; set; }
    public TimeSpan RetryBaseDelay { get; set; }
    public TimeSpan Retention { get; set; }

    /// <summary>
    /// How long a delivery waits for its commit before it is refused (503): Calendly reads for 15 seconds and then counts
    /// a failure anyway, so an answer after that helps nobody. Calendly delivers again; the dedupe key absorbs a commit
    /// that landed after all.
    /// </summary>
    public TimeSpan StoreTimeout { get; set; }

    /// <summary>
    /// How many events the processor claims and applies in one transaction. At most 1,000: a batch that fails is applied
    /// again one event at a time, which must end well within the claim's two-minute lease.
    /// </summary>
    public int BatchSize { get; set; }

    /// <summary>
    /// While deliveries keep arriving and a backlog builds, the processor waits this many times as long as its last full
    /// batch took before the next (0: it never steps aside). See WebhookProcessingWorker.YieldAfter; measured in BENCHMARKS.md.
    /// </summary>
    public double YieldFactor { get; set; }

    public void Read(SettingsReader settings)
    {
        MaxBodyBytes = (int)settings.Number("WEBHOOK_MAX_BODY_BYTES", 262_144, 1024, 16 * 1024 * 1024);
        Tolerance = TimeSpan.FromSeconds(settings.Number("WEBHOOK_TOLERANCE_SECONDS", 180, 1, 3600));
        ProcessingEnabled = settings.Bool("WEBHOOK_PROCESSING_ENABLED", true);
        PollInterval = TimeSpan.FromMilliseconds(settings.Number("WEBHOOK_POLL_MILLISECONDS", 1000, 10, 60_000));
        MaxAttempts = (int)settings.Number("WEBHOOK_MAX_ATTEMPTS", 8, 1, 100);
        RetryBaseDelay = TimeSpan.FromSeconds(settings.Number("WEBHOOK_RETRY_BASE_SECONDS", 10, 0, 3600));
        Retention = TimeSpan.FromDays(settings.Number("WEBHOOK_RETENTION_DAYS", 90, 1, 3650));
        BatchSize = (int)settings.Number("WEBHOOK_BATCH_SIZE", 100, 1, 1000);
        YieldFactor = settings.Number("WEBHOOK_PROCESSOR_YIELD_FACTOR", 2, 0, 20);
        StoreTimeout = TimeSpan.FromSeconds(settings.Number("WEBHOOK_STORE_TIMEOUT_SECONDS", 10, 0.1, 60));
    }
}
