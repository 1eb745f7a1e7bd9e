using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Alba;
using App.Tests.Support;

namespace App.Tests.Features.FreeTimes;

/// <summary>What the free-times tests ask the app and the simulator, in one place.</summary>
internal static class FreeTimesRequests
{
    public sealed record Slot(DateTimeOffset StartTime, string SchedulingUrl);

    /// <summary>Midnight UTC tomorrow: in the future, and on the quarter hours the cache keys use.</summary>
    public static DateTimeOffset Tomorrow => new(DateTime.UtcNow.Date.AddDays(1), TimeSpan.Zero);

    public static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string FreeTimesUrl(string eventUri, DateTimeOffset start, DateTimeOffset end) =>
        $"/api/calendly/availability/free?eventUri={Uri.EscapeDataString(eventUri)}&startTime={Iso(start)}&endTime={Iso(end)}";

    /// <summary>A fresh user of the given role and time zone, signed in with a development bearer token.</summary>
    public static Task<Browser> SignedInAsync(IAlbaHost host, string role, string timeZone = "UTC") =>
        ConnectedCoaches.SignedInAsync(host, $"{role}-{Guid.NewGuid():N}", role, timeZone);

    /// <summary>The slots of an answer of GET /api/calendly/availability/free.</summary>
    public static async Task<IReadOnlyList<Slot>> SlotsAsync(HttpResponseMessage response)
    {
        var data = (await Browser.JsonAsync(response)).GetProperty("data");
        return data.GetProperty("slots").EnumerateArray()
            .Select(s => new Slot(s.GetProperty("startTime").GetDateTimeOffset(), s.GetProperty("schedulingUrl").GetString()!))
            .ToList();
    }

    /// <summary>What Calendly (the simulator) itself answers for the window, asked with the coach's token.</summary>
    public static async Task<IReadOnlyList<Slot>> CalendlySlotsAsync(SimulatorServer simulator, string accessToken, string eventUri,
        DateTimeOffset start, DateTimeOffset end)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"event_type_available_times?event_type={Uri.EscapeDataString(eventUri)}&start_time={Iso(start)}&end_time={Iso(end)}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await simulator.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return body.GetProperty("collection").EnumerateArray()
            .Select(s => new Slot(s.GetProperty("start_time").GetDateTimeOffset(), s.GetProperty("scheduling_url").GetString()!))
            .ToList();
    }

    private sealed record CreatedUsers(IReadOnlyList<SimulatorServer.SimUser> Users);

    /// <summary>A simulated Calendly account whose working hours (Mon–Fri 9–17) are in the given zone.</summary>
    public static async Task<SimulatorServer.SimUser> AccountInAsync(SimulatorServer simulator, string timeZone)
    {
        var response = await simulator.Http.PostAsJsonAsync("_sim/users", new { count = 1, timezone = timeZone });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<CreatedUsers>(Browser.Json))!.Users[0];
    }
}
