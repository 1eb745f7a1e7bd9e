namespace App.Features.FreeTimes;

/// <summary>
/// The background job that keeps connected coaches' free times for the next <see cref="Days"/> days warm (cache and
/// calendly_availability_cache), and their Calendly profile current, every interval.
/// </summary>
public sealed record AvailabilitySyncOptions : IFlatSettings
{
    public bool Enabled { get; set; }
    public TimeSpan Interval { get; set; }
    public int Concurrency { get; set; }
    public int Days { get; set; }

    public void Read(SettingsReader settings)
    {
        Enabled = settings.Bool("AVAILABILITY_SYNC_ENABLED", true);
        Interval = TimeSpan.FromSeconds(settings.Number("AVAILABILITY_SYNC_INTERVAL_SECONDS", 600, 1, 86_400));
        Concurrency = (int)settings.Number("AVAILABILITY_SYNC_CONCURRENCY", 4, 1, 256);
        Days = (int)settings.Number("AVAILABILITY_SYNC_DAYS", 7, 1, 31);
    }
}
