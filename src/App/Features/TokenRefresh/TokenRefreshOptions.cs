namespace App.Features.TokenRefresh;

/// <summary>
/// The background job that refreshes every connection whose access token expires within the window, hourly by
/// default (tokens live two hours). How one refresh backs off is the Calendly client's (<c>TokenLifecycleOptions</c>).
/// </summary>
public sealed record TokenRefreshOptions : IFlatSettings
{
    public bool Enabled { get; set; }
    public TimeSpan Interval { get; set; }
    public TimeSpan Window { get; set; }
    public int BatchSize { get; set; }
    public int Concurrency { get; set; }

    public void Read(SettingsReader settings)
    {
        Enabled = settings.Bool("TOKEN_REFRESH_ENABLED", true);
        Interval = TimeSpan.FromSeconds(settings.Number("TOKEN_REFRESH_INTERVAL_SECONDS", 3600, 1, 86_400));
        Window = TimeSpan.FromSeconds(settings.Number("TOKEN_REFRESH_WINDOW_SECONDS", 5400, 60, 7 * 86_400));
        BatchSize = (int)settings.Number("TOKEN_REFRESH_BATCH_SIZE", 100, 1, 10_000);
        Concurrency = (int)settings.Number("TOKEN_REFRESH_CONCURRENCY", 8, 1, 256);
    }
}
