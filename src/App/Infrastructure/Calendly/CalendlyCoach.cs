namespace App.Infrastructure.Calendly;

/// <summary>
/// A user with a Calendly connection, whatever its status (<see cref="CalendlyTokens.Active"/> or
/// <see cref="CalendlyTokens.NeedsReconnect"/>): the coach a feature acts for when it calls Calendly with their token.
/// </summary>
/// <param name="Name">How others read the coach (the display_names view): their Calendly name, else their sign-in name or email.</param>
public sealed record CalendlyCoach(long Id, string? Email, string ExternalId, string TimeZone, string CalendlyUserUri, string ConnectionStatus,
    string GrantedScopes, string Name)
{
    private const string FindSql = """
        select u.id, u.email, u.external_id, u.time_zone, i.calendly_user_uri, i.status as connection_status, i.granted_scopes,
               n.name
        from users u
        join calendly_integrations i on i.user_id = u.id
        join display_names n on n.user_id = u.id
        where u.id = @UserId
        """;

    /// <summary>Whether the connection's grant includes the scope (<see cref="CalendlyScopes"/>).</summary>
    public bool Grants(string scope) => CalendlyScopes.Grants(CalendlyScopes.Parse(GrantedScopes), scope);

    /// <summary>The user and their connection, or null when they have none.</summary>
    public static Task<CalendlyCoach?> FindAsync(NpgsqlConnection connection, long userId, CancellationToken ct) =>
        connection.QuerySingleOrDefaultAsync<CalendlyCoach?>(new CommandDefinition(FindSql, new { UserId = userId }, cancellationToken: ct));
}
