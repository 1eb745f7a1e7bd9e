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

    /// <summary>
    /// The zones most people here live in (the United States first, then a few cities a realtor's coach may be in): the
    /// header offers these, so that every page does not carry all ~400 ids; the settings page has the full list.
    /// </summary>
    public static readonly IReadOnlyList<string> Common = new[]
    {
        "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Anchorage",
        "Pacific/Honolulu", "America/Toronto", "America/Mexico_City", "America/Sao_Paulo", "Europe/London", "Europe/Paris",
        "Europe/Berlin", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney", "UTC",
    }.Where(Known.Contains).ToArray();

    public static bool Contains(string id) => Known.Contains(id);

    /// <summary>The header's short list: the zone in force first, then the common ones.</summary>
    public static IReadOnlyList<string> Around(string current) => [current, .. Common.Where(id => id != current)];
}

/// <summary>The header's time-zone picker (<c>_ZonePicker</c>): the zone in force, and the page to come back to once changed.</summary>
/// <param name="OutOfBand">Sent beside another fragment, for htmx to swap into the header.</param>
public sealed record ZonePicker(string TimeZone, string ReturnUrl, bool OutOfBand = false)
{
    /// <summary>The settings page, with the full list of zones, coming back here once saved.</summary>
    public string MoreHref => "/settings" + Microsoft.AspNetCore.Http.QueryString.Create("returnUrl", ReturnUrl);
}
