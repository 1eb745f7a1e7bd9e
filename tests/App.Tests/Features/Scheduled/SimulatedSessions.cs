using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using App.Tests.Support;
using Dapper;

namespace App.Tests.Features.Scheduled;

/// <summary>
/// Sessions for tests: bookings made on the simulator as an invitee would (POST /_sim/bookings, which also fires the
/// webhooks), and sessions rows inserted directly for realtors (the Bookings and Webhooks slices fill them in the app).
/// </summary>
public static class SimulatedSessions
{
    public sealed record Booked(string EventUri, string InviteeUri, string CancelUrl, string RescheduleUrl, DateTimeOffset Start)
    {
        public string EventUuid => EventUri.Split('/')[^1];
    }

    /// <summary>A coach with a fresh simulated Calendly account, and a browser signed in as them.</summary>
    public static async Task<(ConnectedCoaches.ConnectedCoach Coach, Browser Browser)> CoachAsync(AppFixture app)
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        return (coach, await ConnectedCoaches.SignedInAsync(app.Host, coach.ExternalId, "coach"));
    }

    public static async Task<(Browser Browser, long UserId)> RealtorAsync(AppFixture app)
    {
        var browser = await ConnectedCoaches.SignedInAsync(app.Host, $"realtor-{Guid.NewGuid():N}", "realtor");
        var me = await Browser.JsonAsync(await browser.GetAsync("/api/me"));
        return (browser, me.GetProperty("data").GetProperty("id").GetInt64());
    }

    /// <summary>Free start times of one of the coach's event types (0: the one-on-one, 1: the group session) in the next week.</summary>
    public static async Task<IReadOnlyList<DateTimeOffset>> FreeStartsAsync(SimulatorServer simulator, ConnectedCoaches.ConnectedCoach coach,
        int eventType = 0)
    {
        var from = DateTimeOffset.UtcNow.AddMinutes(1);
        var json = await ApiAsync(simulator, coach, $"event_type_available_times?event_type={Uri.EscapeDataString(coach.Account.EventTypes[eventType])}"
            + $"&start_time={Stamp(from)}&end_time={Stamp(from.AddDays(7).AddMinutes(-1))}");
        return [.. json.GetProperty("collection").EnumerateArray().Select(slot => slot.GetProperty("start_time").GetDateTimeOffset())];
    }

    public static async Task<Booked> BookAsync(SimulatorServer simulator, string eventTypeUri, DateTimeOffset start,
        string email = "ivy@example.test", string name = "Ivy Invitee")
    {
        var response = await simulator.Http.PostAsJsonAsync("_sim/bookings",
            new { eventTypeUri, startTime = start, inviteeEmail = email, inviteeName = name });
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"Booking answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var booked = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return new Booked(booked.GetProperty("event").GetString()!, booked.GetProperty("invitee").GetString()!,
            booked.GetProperty("cancelUrl").GetString()!, booked.GetProperty("rescheduleUrl").GetString()!, start);
    }

    /// <summary>Books the coach's first <paramref name="count"/> free one-on-one slots, one invitee each.</summary>
    public static async Task<IReadOnlyList<Booked>> BookSlotsAsync(SimulatorServer simulator, ConnectedCoaches.ConnectedCoach coach, int count)
    {
        var starts = await FreeStartsAsync(simulator, coach);
        var booked = new List<Booked>();
        foreach (var (start, n) in starts.Take(count).Select((s, n) => (s, n)))
            booked.Add(await BookAsync(simulator, coach.Account.EventTypes[0], start, $"invitee{n}@example.test", $"Invitee {n}"));
        return booked;
    }

    /// <summary>The scheduled event as the simulator holds it (read with the coach's own token).</summary>
    public static async Task<JsonElement> EventAsync(SimulatorServer simulator, ConnectedCoaches.ConnectedCoach coach, string eventUuid) =>
        (await ApiAsync(simulator, coach, $"scheduled_events/{eventUuid}")).GetProperty("resource");

    public sealed record SessionRow(long CoachId, long? RealtorId, string ScheduledEventUri, string InviteeUri, DateTimeOffset StartTime,
        string Status = "active", string EventName = "30 Minute Meeting", string? CancelUrl = null, string? RescheduleUrl = null);

    public static async Task<long> InsertSessionAsync(TestDatabase database, SessionRow row)
    {
        await using var db = await database.OpenAsync();
        return await db.ExecuteScalarAsync<long>("""
            insert into sessions (coach_id, realtor_id, scheduled_event_uri, invitee_uri, event_name, invitee_name, invitee_email,
                                  start_time, end_time, status, cancel_url, reschedule_url, source)
            values (@CoachId, @RealtorId, @ScheduledEventUri, @InviteeUri, @EventName, 'Rita Realtor', 'rita@example.test',
                    @StartTime, @StartTime + interval '30 minutes', @Status, @CancelUrl, @RescheduleUrl, 'booking')
            returning id
            """, row);
    }

    /// <summary>A session row for the realtor's own booking of a simulated event.</summary>
    public static Task<long> InsertBookingAsync(TestDatabase database, long coachId, long realtorId, Booked booked) =>
        InsertSessionAsync(database, new SessionRow(coachId, realtorId, booked.EventUri, booked.InviteeUri, booked.Start,
            CancelUrl: booked.CancelUrl, RescheduleUrl: booked.RescheduleUrl));

    /// <summary>A made-up event (no simulator behind it) for tests of the table alone.</summary>
    public static SessionRow MadeUpSession(long coachId, long? realtorId, DateTimeOffset start, string status = "active")
    {
        var eventUuid = Guid.NewGuid().ToString();
        return new SessionRow(coachId, realtorId, $"https://api.calendly.test/scheduled_events/{eventUuid}",
            $"https://api.calendly.test/scheduled_events/{eventUuid}/invitees/{Guid.NewGuid()}", start, status,
            CancelUrl: $"https://calendly.test/cancellations/{eventUuid}", RescheduleUrl: $"https://calendly.test/reschedulings/{eventUuid}");
    }

    public static async Task<JsonElement> DataAsync(HttpResponseMessage response) =>
        (await Browser.JsonAsync(response)).GetProperty("data");

    public static async Task<JsonElement> ErrorAsync(HttpResponseMessage response) =>
        (await Browser.JsonAsync(response)).GetProperty("error");

    /// <summary>400 validation_failed, with the field among the details.</summary>
    public static async Task AssertRefusedNamingAsync(HttpResponseMessage response, string field)
    {
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        var error = await ErrorAsync(response);
        await Assert.That(error.GetProperty("code").GetString()).IsEqualTo("validation_failed");
        await Assert.That(error.GetProperty("details").TryGetProperty(field, out _)).IsTrue();
    }

    public static string Stamp(DateTimeOffset instant) =>
        Uri.EscapeDataString(instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));

    private static async Task<JsonElement> ApiAsync(SimulatorServer simulator, ConnectedCoaches.ConnectedCoach coach, string pathAndQuery)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", coach.Tokens.AccessToken);
        var response = await simulator.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }
}
