namespace App.Infrastructure.Database;

/// <summary>Changes to the sessions table that more than one slice makes, written once.</summary>
public static class SessionWrites
{
    /// <summary>Records (or, with a null @NoShowUri, takes back) an invitee's no-show: the coach's own action, or Calendly's webhook saying so.</summary>
    public const string SetNoShowSql = """
        update sessions set no_show_uri = @NoShowUri, updated_at = now()
        where invitee_uri = @InviteeUri and coach_id = @CoachId
        """;
}
