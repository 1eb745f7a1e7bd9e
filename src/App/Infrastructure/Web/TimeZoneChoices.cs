namespace App.Infrastructure.Web;

/// <summary>
/// The time zones a person can pick, wherever times are shown (the header's picker, the settings page): the IANA ids this
/// server knows (on Linux the system zones are IANA's), sorted.
/// </summary>
public static class TimeZoneChoices
{
    public static readonly IReadOnlyList<string> Ids = TimeZoneInfo.GetSystemTimeZones()
        .Select(z => z.Id).Where(id => id.Contains('/') || id == "UTC").Order(StringComparer.Ordinal).ToArray();

    private static readonly HashSet<string> Known = [.. Ids];

    public static bool Contains(string id) => Known.Contains(id);
}

/// <summary>The header's time-zone picker (<c>_ZonePicker</c>): the zone in force, and the page to come back to once changed.</summary>
/// <param name="OutOfBand">Sent beside another fragment, for htmx to swap into the header.</param>
public sealed record ZonePicker(string TimeZone, string ReturnUrl, bool OutOfBand = false);
