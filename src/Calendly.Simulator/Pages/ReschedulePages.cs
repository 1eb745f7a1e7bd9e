using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.Scheduling;
using Calendly.Simulator.World;
using static Calendly.Simulator.Pages.Html;

namespace Calendly.Simulator.Pages;

/// <summary>The invitee's reschedule_url: pick a new free time of the same event type, confirm, and the booking moves.</summary>
public static class ReschedulePages
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/reschedulings/{inviteeUuid}", PickTime);
        app.MapGet("/reschedulings/{inviteeUuid}/{start}", Confirm);
        app.MapPost("/reschedulings/{inviteeUuid}/{start}", RescheduleAsync);
    }

    private static IResult PickTime(string inviteeUuid, HttpRequest request, WorldStore world, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        if (InviteeView.Find(world, inviteeUuid, now) is not { } booking) return BookingPages.NotFoundPage();
        if (booking.Closed is { } closed) return Error(400, "Cannot reschedule", closed);
        var slots = world.Locked(w => FreeSlots.Find(w, booking.Type, now, now.AddDays(SlotList.Days), now)
            .Where(s => s.Free && s.Start != booking.Start).ToList());
        var zone = SlotList.ChosenZone(request, booking.Zone);
        return Page("Reschedule", $"""
            <h1>Reschedule {E(booking.Type.Name)}</h1>
            <p>Currently {E(SlotList.LocalTime(booking.Start, zone))}. Pick a new time.</p>
            {SlotList.ZonePicker(request, zone)}
            {SlotList.Render(slots, zone, $"/reschedulings/{booking.InviteeUuid}", request.QueryString.Value ?? "")}
            """, script: EmbedScript(("calendly.event_type_viewed", new { })));
    }

    private static IResult Confirm(string inviteeUuid, string start, HttpRequest request, WorldStore world, TimeProvider clock)
    {
        if (InviteeView.Find(world, inviteeUuid, clock.GetUtcNow()) is not { } booking || !DateTimeOffset.TryParse(start, out var newStart))
            return BookingPages.NotFoundPage();
        if (booking.Closed is { } closed) return Error(400, "Cannot reschedule", closed);
        var zone = SlotList.ChosenZone(request, booking.Zone);
        return Page("Confirm new time", $"""
            <h1>Reschedule {E(booking.Type.Name)}</h1>
            <p>From {E(SlotList.LocalTime(booking.Start, zone))}<br>to <strong>{E(SlotList.LocalTime(newStart, zone))}</strong></p>
            <form method="post" action="{E($"{request.Path}{request.QueryString}")}">
              <label for="reason">Reason for rescheduling</label>
              <textarea id="reason" name="reason" rows="3"></textarea>
              <p><button class="primary" type="submit">Reschedule Event</button></p>
            </form>
            """, script: EmbedScript(("calendly.date_and_time_selected", new { })));
    }

    private static async Task<IResult> RescheduleAsync(string inviteeUuid, string start, HttpRequest request, WorldStore world,
        Bookings bookings, ResourceUris uris, TimeProvider clock)
    {
        var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
        if (InviteeView.Find(world, inviteeUuid, clock.GetUtcNow()) is not { } booking || !DateTimeOffset.TryParse(start, out var newStart))
            return BookingPages.NotFoundPage();
        var reason = form["reason"].ToString() is { Length: > 0 } text ? text : null;
        var result = bookings.Reschedule(inviteeUuid, newStart, reason);
        return result.Refusal is { } refusal
            ? Error(refusal.Status, "Cannot reschedule", refusal.Message)
            : BookingPages.Scheduled(result.Booked!, booking.Type.Name, booking.HostName, newStart, booking.Zone, uris);
    }
}
