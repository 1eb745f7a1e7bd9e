using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using App.Tests.Support;
using Dapper;

namespace App.Tests.Support;

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
        return (browser, await SignedInUserModule.UserIdAsync(browser));
    }

    /// <summary>Books the first free slot of one of the coach's event types (0: the one-on-one, 1: the group session).</summary>
    public static async Task<Booked> BookFirstFreeAsync(SimulatorServer simulator, ConnectedCoaches.ConnectedCoach coach, string email,
        int eventType = 0)
    {
        var eventTypeUri = coach.Account.EventTypes[eventType];
        var start = await simulator.FirstFreeSlotAsync(coach.Tokens.AccessToken, eventTypeUri);
        var booked = await simulator.BookAsync(eventTypeUri, start, email);
        return new Booked(booked.Event, booked.Invitee, booked.CancelUrl, booked.RescheduleUrl, start);
    }

    /// <summary>Books the coach's next <paramref name="count"/> free one-on-one slots, one invitee (invitee{n}@…) each.</summary>
    public static async Task<IReadOnlyList<Booked>> BookSlotsAsync(SimulatorServer simulator, ConnectedCoaches.ConnectedCoach coach, int count)
    {
        var booked = new List<Booked>();
        for (var n = 0; n < count; n++) booked.Add(await BookFirstFreeAsync(simulator, coach, $"invitee{n}@example.test"));
        return booked;
    }

    /// <summary>The scheduled event as the simulator holds it (read with the coach's own token).</summary>
    public static async Task<JsonElement> EventAsync(SimulatorServer simulator, ConnectedCoaches.ConnectedCoach coach, string eventUuid) =>
        (await ApiAsync(simulator, coach, $"scheduled_events/{eventUuid}")).GetProperty("resource");

    /// <summary>The URI of the no-show mark Calendly (the simulator) holds for the invitee, or null (read with the coach's own token).</summary>
    public static async Task<string?> NoShowAtCalendlyAsync(SimulatorServer simulator, ConnectedCoaches.ConnectedCoach coach, string inviteeUri) =>
        (await ApiAsync(simulator, coach, inviteeUri)).GetProperty("resource").GetProperty("no_show") is { ValueKind: JsonValueKind.Object } noShow
            ? noShow.GetProperty("uri").GetString()
            : null;

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
