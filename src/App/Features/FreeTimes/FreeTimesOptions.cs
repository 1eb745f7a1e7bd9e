namespace App.Features.FreeTimes;

/// <summary>
/// How free times are asked of Calendly: one available-times call covers at most <see cref="AvailabilityWindowDays"/>
/// (Calendly's limit), so a longer window (up to 31 days) is split into parallel calls.
/// </summary>
public sealed record FreeTimesOptions : IFlatSettings
{
    public int AvailabilityWindowDays { get; set; }

    public void Read(SettingsReader settings) =>
        AvailabilityWindowDays = (int)settings.Number("CALENDLY_AVAILABILITY_WINDOW_DAYS", 7, 1, 31);
}
