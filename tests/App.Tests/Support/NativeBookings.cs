using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Alba;
using Dapper;

namespace App.Tests.Support;

/// <summary>
/// What tests of booking in the app (NativeBooking's route) ask the app and the simulator, in one place: here, with
/// the shared support, because tests elsewhere book too (the log test); a test that books names NativeBooking in its
/// [NeedsSlices].
/// </summary>
internal static class NativeBookings
{
    public const string Api = "/api/calendly/invitees";

    public sealed record Realtor(Browser Browser, long Id, string Email, string BookingRef);

    /// <summary>A fresh realtor signed in with a development bearer token, in the given time zone.</summary>
    public static async Task<Realtor> RealtorAsync(IAlbaHost host, TestDatabase database, string timeZone = "UTC")
    {
        var externalId = $"realtor-{Guid.NewGuid():N}";
        var browser = await ConnectedCoaches.SignedInAsync(host, externalId, "realtor", timeZone);
        var id = await SignedInUserModule.UserIdAsync(browser);
        await using var db = await database.OpenAsync();
        var bookingRef = await db.ExecuteScalarAsync<string>("select booking_ref from users where id = @id", new { id });
        return new Realtor(browser, id, $"{externalId}@example.test", bookingRef!);
    }

    /// <summary>
    /// The event type's free start times in the coming week, as the app lists them to realtors: asking is also how the app
    /// learns which coach hosts it, as when a realtor books from the week grid.
    /// </summary>
    public static async Task<IReadOnlyList<DateTimeOffset>> FreeStartsAsync(Browser realtor, string eventTypeUri)
    {
        var now = DateTimeOffset.UtcNow;
        var response = await realtor.GetAsync($"/api/calendly/availability/free?eventUri={Uri.EscapeDataString(eventTypeUri)}"
            + $"&startTime={Iso(now)}&endTime={Iso(now.AddDays(7))}");
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"free times: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return [.. (await Browser.JsonAsync(response)).GetProperty("data").GetProperty("slots").EnumerateArray()
            .Select(slot => slot.GetProperty("startTime").GetDateTimeOffset())];
    }

    /// <summary>The first free start time at 09:00 UTC, so that the rest of the (UTC) working day follows it.</summary>
    public static async Task<DateTimeOffset> FreeNineOClockAsync(Browser realtor, string eventTypeUri) =>
        (await FreeStartsAsync(realtor, eventTypeUri)).First(start => start.UtcDateTime.TimeOfDay == TimeSpan.FromHours(9));

    public static Task<HttpResponseMessage> BookAsync(Browser realtor, object body, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Api) { Content = JsonContent.Create(body) };
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        return realtor.SendAsync(request);
    }

    public static string NewKey() => Guid.NewGuid().ToString();

    public static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static async Task<JsonElement> DataAsync(HttpResponseMessage response) => (await Browser.JsonAsync(response)).GetProperty("data");

    public static bool Replayed(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Idempotent-Replayed", out var values) && values.Single() == "true";

    /// <summary>Calendly's own resource at a URI (an invitee, an event), read with the coach's token.</summary>
    public static async Task<JsonElement> CalendlyAsync(SimulatorServer simulator, ConnectedCoaches.ConnectedCoach coach, string uri)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", coach.Tokens.AccessToken);
        using var response = await simulator.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    /// <summary>How many active events Calendly holds for the coach with this invitee: bookings made, however often asked.</summary>
    public static async Task<int> CalendlyBookingsAsync(SimulatorServer simulator, ConnectedCoaches.ConnectedCoach coach, string inviteeEmail)
    {
        var events = await CalendlyAsync(simulator, coach, $"scheduled_events?user={Uri.EscapeDataString(coach.Account.Uri)}"
            + $"&invitee_email={Uri.EscapeDataString(inviteeEmail)}&status=active&count=100");
        return events.GetProperty("collection").GetArrayLength();
    }

    public static async Task<int> SessionRowsAsync(TestDatabase database, string inviteeUri)
    {
        await using var db = await database.OpenAsync();
        return await db.ExecuteScalarAsync<int>("select count(*) from sessions where invitee_uri = @inviteeUri", new { inviteeUri });
    }
}
