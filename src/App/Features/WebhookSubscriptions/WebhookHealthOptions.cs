namespace App.Features.WebhookSubscriptions;

/// <summary>
/// The webhook health check: how often every connection's Calendly webhook subscription is verified (Calendly disables
/// a failing one silently) and repaired, and how many coaches one instance checks at once.
/// </summary>
public sealed record WebhookHealthOptions : IFlatSettings
{
    public bool Enabled { get; set; }
    public TimeSpan Interval { get; set; }
    public int Concurrency { get; set; }

    public void Read(SettingsReader settings)
    {
        Enabled = settings.Bool("WEBHOOK_HEALTH_ENABLED", true);
        Interval = TimeSpan.FromSeconds(settings.Number("WEBHOOK_HEALTH_INTERVAL_SECONDS", 300, 5, 86_400));
        Concurrency = (int)settings.Number("WEBHOOK_HEALTH_CONCURRENCY", 4, 1, 64);
    }
}
