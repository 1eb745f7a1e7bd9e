using System.Globalization;

namespace App.Infrastructure.Web;

/// <summary>Instants written in ISO-8601, in UTC. The format strings live here alone, so every writer agrees.</summary>
public static class IsoTime
{
    /// <summary>
    /// To the microsecond, as Calendly writes instants (2026-03-09T14:00:00.000000Z): what its API is sent, and what a
    /// webhook's created_at must match character for character.
    /// </summary>
    public static string Microseconds(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>To the second (2026-03-09T14:00:00Z): a page's <c>&lt;time datetime&gt;</c>.</summary>
    public static string Seconds(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
