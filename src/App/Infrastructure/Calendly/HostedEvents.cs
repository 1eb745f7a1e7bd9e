namespace App.Infrastructure.Calendly;

/// <summary>What a coach hosts on Calendly: the slices that act on a coach's own events (sessions, no-shows) ask here.</summary>
public static class HostedEvents
{
    private const string CalendlyUserUriSql = "select calendly_user_uri from calendly_integrations where user_id = @UserId";

    /// <summary>The coach's Calendly user URI; NotConnected when they have no connection.</summary>
    public static async Task<string> CalendlyUserUriAsync(NpgsqlDataSource db, long userId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(CalendlyUserUriSql, new { UserId = userId }, cancellationToken: ct))
            ?? throw new CalendlyException(CalendlyFailure.NotConnected, "Connect your Calendly account first.");
    }

    /// <summary>
    /// The event, when this coach hosts it; null when it does not exist or someone else hosts it (Calendly lets an
    /// organization's admins see and change members' events, this app only the host).
    /// </summary>
    public static async Task<ScheduledEvent?> FindAsync(CalendlyCalls calls, long userId, string calendlyUserUri, string eventUuid,
        CancellationToken ct)
    {
        try
        {
            var scheduled = await calls.RunAsync(userId, (client, accessToken) => client.GetScheduledEventAsync(accessToken, eventUuid, ct), ct);
            return scheduled.EventMemberships.Any(m => m.User == calendlyUserUri) ? scheduled : null;
        }
        catch (CalendlyException e) when (e.Failure is CalendlyFailure.NotFound or CalendlyFailure.Forbidden)
        {
            return null;
        }
    }
}
