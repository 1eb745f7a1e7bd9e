using System.Globalization;
using Calendly.Simulator.Scheduling;
using static Calendly.Simulator.Pages.Html;

namespace Calendly.Simulator.Pages;

/// <summary>Free start times grouped by day in the visitor's chosen time zone, each a link to its confirmation form.</summary>
public static class SlotList
{
    public const int Days = 7;

    private static readonly string[] CommonZones =
        ["UTC", "America/Los_Angeles", "America/Chicago", "America/New_York", "Europe/London", "Europe/Berlin", "Asia/Tokyo", "Australia/Sydney"];

    /// <summary>The zone in ?timezone= when it is a real IANA zone, else the fallback (the host's).</summary>
    public static string ChosenZone(HttpRequest request, string fallback) =>
        TimeZones.TryFind(request.Query["timezone"].FirstOrDefault()) is not null ? request.Query["timezone"].ToString() : fallback;

    public static string Render(IReadOnlyList<Slot> slots, string zoneId, string slotBaseUrl, string query)
    {
        var zone = TimeZones.Find(zoneId);
        var days = slots.GroupBy(s => TimeZones.LocalDate(s.Start, zone)).ToList();
        if (days.Count == 0) return "<p>No free times in the next seven days.</p>";
        return string.Concat(days.Select(day =>
            $"""
            <h2>{E(day.Key.ToString("dddd, MMMM d", CultureInfo.InvariantCulture))}</h2>
            <div class="slots">{string.Concat(day.Select(slot => SlotLink(slot, zone, slotBaseUrl, query)))}</div>
            """));
    }

    /// <summary>A GET form that reloads the page in another time zone, keeping the other query parameters.</summary>
    public static string ZonePicker(HttpRequest request, string zoneId)
    {
        var hidden = string.Concat(request.Query.Where(p => p.Key != "timezone")
            .Select(p => $"""<input type="hidden" name="{E(p.Key)}" value="{E(p.Value)}">"""));
        var options = string.Concat(CommonZones.Append(zoneId).Distinct()
            .Select(z => $"""<option{(z == zoneId ? " selected" : "")}>{E(z)}</option>"""));
        return $"""
            <form method="get">{hidden}
              <label for="timezone">Time zone</label>
              <select id="timezone" name="timezone" onchange="this.form.submit()">{options}</select>
              <noscript><button type="submit">Show</button></noscript>
            </form>
            """;
    }

    public static string PathStamp(DateTimeOffset start) =>
        start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string LocalTime(DateTimeOffset instant, string zoneId) =>
        TimeZones.LocalTime(instant, TimeZones.Find(zoneId)).ToString("dddd, MMMM d, yyyy 'at' HH:mm", CultureInfo.InvariantCulture) + $" ({zoneId})";

    private static string SlotLink(Slot slot, TimeZoneInfo zone, string slotBaseUrl, string query)
    {
        var label = TimeZones.LocalTime(slot.Start, zone).ToString("HH:mm", CultureInfo.InvariantCulture);
        var seats = slot.InviteesRemaining > 1 ? $" · {slot.InviteesRemaining} spots left" : "";
        return $"""<a href="{E($"{slotBaseUrl}/{PathStamp(slot.Start)}{query}")}" data-start="{E(PathStamp(slot.Start))}">{E(label)}{E(seats)}</a>""";
    }
}
