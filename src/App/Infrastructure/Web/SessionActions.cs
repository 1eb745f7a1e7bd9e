using RazorSlices;

namespace App.Infrastructure.Web;

/// <summary>One session as the sessions list shows it, for slices that add actions to its row.</summary>
/// <param name="ForRealtor">The list is a realtor's (else the hosting coach's).</param>
/// <param name="OwnCancelUrl">The realtor's own invitee cancel link on Calendly, when the list has it.</param>
/// <param name="ReturnUrl">The list page the row is on, for forms that come back to it without JavaScript.</param>
public sealed record SessionRow(string EventUuid, bool ForRealtor, bool Upcoming, bool Started, int ActiveInvitees, string? OwnCancelUrl,
    string ReturnUrl);

/// <summary>One invitee of a session on a coach's sessions list.</summary>
public sealed record InviteeRow(SessionRow Session, string InviteeUri, string? Name, bool Active, string? NoShowUri);

/// <summary>
/// What another slice can do to a session from its row on the sessions list (cancel it, mark a no-show): the list renders
/// every registered contribution in the row and knows none of them, so a slice that is removed takes its actions along
/// (its one registration line in Program.cs). A contribution answers its form itself and raises
/// <see cref="PageEvents.SessionsChanged"/>, on which the row fetches itself again.
/// </summary>
public interface ISessionActions
{
    /// <summary>The session's own actions (the row's last cell); null when there is none for this row.</summary>
    RazorSlice? ForSession(SessionRow session) => null;

    /// <summary>Actions beside one invitee (coaches' lists); null when there is none.</summary>
    RazorSlice? ForInvitee(InviteeRow invitee) => null;
}
