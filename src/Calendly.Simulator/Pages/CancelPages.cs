using Calendly.Simulator.Scheduling;
using Calendly.Simulator.World;
using static Calendly.Simulator.Pages.Html;

namespace Calendly.Simulator.Pages;

/// <summary>The invitee's cancel_url: a reason field and a button; on a group event only this invitee's seat is canceled.</summary>
public static class CancelPages
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/cancellations/{inviteeUuid}", Show);
        app.MapPost("/cancellations/{inviteeUuid}", CancelAsync);
    }

    private static IResult Show(string inviteeUuid, WorldStore world, TimeProvider clock)
    {
        if (InviteeView.Find(world, inviteeUuid, clock.GetUtcNow()) is not { } booking) return BookingPages.NotFoundPage();
        if (booking.Closed is { } closed) return Error(400, "Cannot cancel", closed);
        var seat = booking.SharesEvent ? "<p class=\"muted\">Only your place is canceled; the event goes ahead for the others.</p>" : "";
        return Page("Cancel event", $"""
            <h1>Cancel event?</h1>
            <p><strong>{E(booking.Type.Name)}</strong> with {E(booking.HostName)}<br>{E(SlotList.LocalTime(booking.Start, booking.Zone))}</p>
            {seat}
            <form method="post">
              <label for="reason">Reason for canceling</label>
              <textarea id="reason" name="reason" rows="3"></textarea>
              <p><button class="primary" type="submit">Cancel Event</button></p>
            </form>
            """);
    }

    private static async Task<IResult> CancelAsync(string inviteeUuid, HttpRequest request, Bookings bookings)
    {
        var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
        var reason = form["reason"].ToString() is { Length: > 0 } text ? text : null;
        if (bookings.CancelByInvitee(inviteeUuid, reason) is { } refusal) return Error(refusal.Status, "Cannot cancel", refusal.Message);
        return Page("Canceled", "<h1>Cancellation confirmed</h1><p>Your booking has been canceled.</p>");
    }
}
