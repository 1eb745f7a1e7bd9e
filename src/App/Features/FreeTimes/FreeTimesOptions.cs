namespace App.Features.FreeTimes;

/// <summary>
/// How free times are asked of Calendly: one available-times call covers at most <see cref="AvailabilityWindowDays"/>
/// (Calendly's limit: 31 days since 2026, 7 before), so a longer window is split into parallel calls. The route refuses
/// windows over 31 days, so by default a window is always one call.
/// </summary>
public sealed record FreeTimesOptions : IFlatSettings
{
    public int AvailabilityWindowDays { get; set; }

    public void Read(SettingsReader settings) =>
        AvailabilityWindowDays = (int)settings.Number("CALENDLY_AVAILABILITY_WINDOW_DAYS", 31, 1, 31);
}
