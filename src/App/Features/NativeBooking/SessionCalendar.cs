using System.Globalization;
using System.Text;

namespace App.Features.NativeBooking;

/// <summary>
/// A booked session as an iCalendar file (RFC 5545) with one VEVENT, for "add to calendar": times in UTC, so every
/// calendar shows them in its own zone; the event's uuid as its UID, so adding it twice updates one entry.
/// </summary>
internal static class SessionCalendar
{
    public const string ContentType = "text/calendar; charset=utf-8";
    private const int MaxLineOctets = 75;

    public static byte[] Of(BookedSession session, DateTimeOffset now)
    {
        var description = string.Join("\n", new[]
        {
            session.RescheduleUrl is { } reschedule ? $"Reschedule: {reschedule}" : null,
            session.CancelUrl is { } cancel ? $"Cancel: {cancel}" : null,
        }.OfType<string>());
        var lines = new List<string>
        {
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Calendly.Slices//Booking//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
            "BEGIN:VEVENT",
            $"UID:{session.Uuid}@calendly-slices",
            $"DTSTAMP:{Utc(now)}",
            $"DTSTART:{Utc(session.StartTime)}",
            $"DTEND:{Utc(session.EndTime)}",
            $"SUMMARY:{Text($"{session.EventName} with {session.CoachName}")}",
            $"STATUS:{(session.Active ? "CONFIRMED" : "CANCELLED")}",
        };
        if (description.Length > 0) lines.Add($"DESCRIPTION:{Text(description)}");
        lines.AddRange(["END:VEVENT", "END:VCALENDAR"]);
        var file = new StringBuilder();
        foreach (var line in lines) Fold(line, file);
        return Encoding.UTF8.GetBytes(file.ToString());
    }

    private static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A TEXT value: backslashes, semicolons, commas and line breaks escaped.</summary>
    private static string Text(string value) =>
        value.Replace("\\", "\\\\").Replace(";", "\\;").Replace(",", "\\,").Replace("\r\n", "\n").Replace("\n", "\\n");

    /// <summary>Lines end in CRLF and are folded before 75 octets, never inside a character; a continuation starts with a space.</summary>
    private static void Fold(string line, StringBuilder file)
    {
        var octets = 0;
        var index = 0;
        while (index < line.Length)
        {
            var length = char.IsSurrogatePair(line, index) ? 2 : 1;
            var size = Encoding.UTF8.GetByteCount(line.AsSpan(index, length));
            if (octets + size > MaxLineOctets)
            {
                file.Append("\r\n ");
                octets = 1;
            }
            file.Append(line, index, length);
            octets += size;
            index += length;
        }
        file.Append("\r\n");
    }
}
