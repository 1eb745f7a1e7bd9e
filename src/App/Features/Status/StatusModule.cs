[assembly: PagePart(PagePlaces.Dashboard, "calendly-status", "Calendly connection", "/calendly/status", ShownTo = Audience.CoachesAndAdmins)]

namespace App.Features.Status;

/// <summary>The caller's Calendly connection: whether it works, when its token expires, and what to do when it does not.</summary>
public sealed class StatusModule : ICarterModule
{
    public sealed record SimulatorUrls(Uri ApiBaseUrl, Uri AuthBaseUrl);

    public sealed record ConnectionStatus(
        bool Connected,
        string Status,
        string Mode,
        DateTimeOffset? ExpiresAt,
        DateTimeOffset? LastSyncAt,
        DateTimeOffset? LastRefreshedAt,
        DateTimeOffset? NextRefreshAt,
        int FailedRefreshCount,
        string? LastRefreshError,
        string? CalendlyUserUri,
        string? CalendlyName,
        string? CalendlyEmail,
        string? SchedulingUrl,
        string? OrganizationUrl,
        string? WebhookState,
        DateTimeOffset? WebhookCheckedAt,
        IReadOnlyList<string> GrantedScopes,
        IReadOnlyList<string> MissingScopes,
        SimulatorUrls? Simulator);

    /// <param name="FailuresWorthAWarning">Failed refreshes in a row after which the card warns (CALENDLY_REFRESH_MAX_FAILURES).</param>
    public sealed record StatusView(ConnectionStatus Status, CurrentUser User, int FailuresWorthAWarning);

    private sealed record IntegrationRow(
        string Status, DateTimeOffset ExpiresAt, DateTimeOffset? LastSyncAt, DateTimeOffset? LastRefreshedAt,
        DateTimeOffset? NextRefreshAt, int FailedRefreshCount, string? LastRefreshError, string CalendlyUserUri,
        string? CalendlyName, string? CalendlyEmail, string? SchedulingUrl, string? OrganizationUrl, string WebhookState, DateTimeOffset? WebhookCheckedAt, string GrantedScopes);

    private const string StatusSql = """
        select status, expires_at, last_sync_at, last_refreshed_at, next_refresh_at, failed_refresh_count,
               last_refresh_error, calendly_user_uri, calendly_name, calendly_email, scheduling_url, organization_url, webhook_state, webhook_checked_at,
               granted_scopes
        from calendly_integrations where user_id = @UserId
        """;

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/calendly/status", GetStatus)
            .RequireAuthorization()
            .WithTags("Status")
            .WithSummary("The caller's Calendly connection and its health.");
        app.MapGet("/calendly/status", ShowStatus).RequireAuthorization().ExcludeFromDescription();
    }

    public static async Task<Ok<Envelope<ConnectionStatus>>> GetStatus(CurrentUser user, NpgsqlDataSource db, CalendlyOptions calendly,
        CancellationToken ct) =>
        TypedResults.Ok(Envelope.Of(await QueryStatus(user, db, calendly, ct)));

    public static async Task<IResult> ShowStatus(HttpContext context, CurrentUser user, NpgsqlDataSource db, CalendlyOptions calendly,
        TokenLifecycleOptions tokens, CancellationToken ct)
    {
        var view = new StatusView(await QueryStatus(user, db, calendly, ct), user, tokens.MaxRefreshFailures);
        return HtmxPages.PageOrPartial(context, StatusPage.Create(view), _StatusCard.Create(view));
    }

    private static async Task<ConnectionStatus> QueryStatus(CurrentUser user, NpgsqlDataSource db, CalendlyOptions calendly, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<IntegrationRow>(
            new CommandDefinition(StatusSql, new { UserId = user.Id }, cancellationToken: ct));
        var simulator = calendly.UseRealCalendly ? null : new SimulatorUrls(calendly.ApiBaseUrl, calendly.AuthBaseUrl);
        if (row is null)
            return new ConnectionStatus(false, "not_connected", calendly.Mode, null, null, null, null, 0, null, null, null, null, null, null, null, null,
                [], [], simulator);
        var granted = CalendlyScopes.Parse(row.GrantedScopes);
        return new ConnectionStatus(row.Status == "active", row.Status, calendly.Mode, row.ExpiresAt, row.LastSyncAt, row.LastRefreshedAt,
            row.NextRefreshAt, row.FailedRefreshCount, row.LastRefreshError, row.CalendlyUserUri, row.CalendlyName, row.CalendlyEmail,
            row.SchedulingUrl,
            row.OrganizationUrl, row.WebhookState, row.WebhookCheckedAt, CalendlyScopes.Expanded(granted), CalendlyScopes.Missing(granted),
            simulator);
    }
}
