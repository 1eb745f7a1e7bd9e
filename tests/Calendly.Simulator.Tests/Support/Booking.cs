using System.Text.Json;

namespace Calendly.Simulator.Tests.Support;

public sealed record BookedMeeting(string EventUri, string InviteeUri, string CancelUrl, string RescheduleUrl);

public static class Booking
{
    /// <summary>The free start times of an event type in the next seven days (the first minute is skipped to stay in the future).</summary>
    public static async Task<IReadOnlyList<JsonElement>> FreeSlotsAsync(this SimAccount account, string eventTypeUri, DateTimeOffset? from = null)
    {
        var start = from ?? DateTimeOffset.UtcNow.AddMinutes(1);
        var url = $"/event_type_available_times?event_type={Uri.EscapeDataString(eventTypeUri)}" +
                  $"&start_time={Stamp(start)}&end_time={Stamp(start.AddDays(7).AddMinutes(-1))}";
        var body = await account.Api.GetJsonAsync(url);
        return [.. body.GetProperty("collection").EnumerateArray()];
    }

    public static async Task<BookedMeeting> BookAsync(this TestSimulator sim, string eventTypeUri, string startTime,
        string email = "invitee@example.com", string name = "Ivy Invitee")
    {
        var booked = await sim.PostJsonAsync("/_sim/bookings", new { eventTypeUri, startTime, inviteeEmail = email, inviteeName = name });
        return new BookedMeeting(booked.Text("event"), booked.Text("invitee"), booked.Text("cancelUrl"), booked.Text("rescheduleUrl"));
    }

    /// <summary>Books the first free slot of the account's first event type (its "30min" one-on-one).</summary>
    public static async Task<BookedMeeting> BookFirstFreeSlotAsync(this TestSimulator sim, SimAccount account, int eventTypeIndex = 0)
    {
        var eventType = await account.EventTypeUriAsync(eventTypeIndex);
        var slot = (await account.FreeSlotsAsync(eventType))[0];
        return await sim.BookAsync(eventType, slot.Text("start_time"));
    }

    public static async Task<string> EventTypeUriAsync(this SimAccount account, int index = 0)
    {
        var types = await account.Api.GetJsonAsync($"/event_types?user={Uri.EscapeDataString(account.UserUri)}&sort=position:asc");
        return types.GetProperty("collection")[index].Text("uri");
    }

    /// <summary>The event type's scheduling_url: its booking page on the simulator.</summary>
    public static async Task<string> SchedulingUrlAsync(this SimAccount account, string eventTypeUri) =>
        (await account.Api.GetJsonAsync($"/event_types/{eventTypeUri.Uuid()}")).GetProperty("resource").Text("scheduling_url");

    public static string Stamp(DateTimeOffset instant) => Uri.EscapeDataString(instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'"));
}
