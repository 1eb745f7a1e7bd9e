[assembly: PageNotice(App.Features.Webhooks.AdminWebhooksModule.ReplayedNotice, "The event will be processed again.")]
[assembly: NavigationLink(App.Features.Webhooks.AdminWebhooksModule.PagePath, "Webhooks", 50, ShownTo = Audience.Admins)]

namespace App.Features.Webhooks;

/// <summary>
/// The operator's view (admins only): recent webhook events with their state, error and a replay button, and how the
/// background jobs are doing, read from the rows they keep.
/// </summary>
public sealed class AdminWebhooksModule : ICarterModule
{
    public const string PagePath = "/admin/webhooks";
    public const string ReplayedNotice = "webhook-replayed";

    /// <summary>Raised after a replay: the event list reloads itself.</summary>
    public const string EventsChanged = "webhook-events-changed";

    public sealed record JobHealth(
        long ActiveConnections, long NeedsReconnect, long RefreshFailing, DateTimeOffset? LastRefreshedAt,
        long SyncFailing, DateTimeOffset? LastSyncAt, long WebhooksNotActive, DateTimeOffset? LastWebhookAt,
        long EventsWaiting, long EventsParked);

    public sealed record AdminView(IReadOnlyList<WebhooksModule.StoredEvent> Events, JobHealth Health);

    private const string HealthSql = """
        select
            (select count(*) from calendly_integrations where status = 'active') as active_connections,
            (select count(*) from calendly_integrations where status = 'needs_reconnect') as needs_reconnect,
            (select count(*) from calendly_integrations where failed_refresh_count > 0) as refresh_failing,
            (select max(last_refreshed_at) from calendly_integrations) as last_refreshed_at,
            (select count(*) from calendly_integrations where failed_sync_count > 0) as sync_failing,
            (select max(last_sync_at) from calendly_integrations) as last_sync_at,
            (select count(*) from calendly_integrations where status = 'active' and webhook_state <> 'active') as webhooks_not_active,
            (select max(last_webhook_at) from calendly_integrations) as last_webhook_at,
            (select count(*) from calendly_webhook_events where processed_at is null and parked_at is null) as events_waiting,
            (select count(*) from calendly_webhook_events where parked_at is not null) as events_parked
        """;

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup("/admin/webhooks").RequireAuthorization().ExcludeFromDescription();
        pages.MapGet("", ShowAdmin);
        // The replay button's form: htmx refreshes the list, a plain post (no JavaScript) comes back to the page.
        pages.MapPost("/{id:long}/replay", ReplayFromPage);
    }

    public static async Task<IResult> ShowAdmin(HttpContext context, CurrentUser user, NpgsqlDataSource db, CancellationToken ct)
    {
        if (!user.IsAdmin)
            return ErrorPages.Page(context, StatusCodes.Status403Forbidden, "For admins only", "This page shows every webhook event and job.");
        JobHealth health;
        await using (var connection = await db.OpenConnectionAsync(ct))
            health = await connection.QuerySingleAsync<JobHealth>(new CommandDefinition(HealthSql, cancellationToken: ct));
        var view = new AdminView(await WebhooksModule.QueryRecentAsync(db, ct), health);
        return HtmxPages.PageOrPartial(context, AdminWebhooksPage.Create(view), _WebhookEvents.Create(view));
    }

    public static async Task<IResult> ReplayFromPage(long id, HttpContext context, CurrentUser user, NpgsqlDataSource db, CancellationToken ct)
    {
        // Thrown, so that a navigation gets an error page and htmx a toast.
        if (!user.IsAdmin) throw new ApiException(StatusCodes.Status403Forbidden, "forbidden", "Only admins replay webhook events.");
        if (!await WebhooksModule.ReplayAsync(id, db, ct))
            throw new ApiException(StatusCodes.Status404NotFound, "not_found", WebhooksModule.NothingToReplay);
        // The list reloads itself on the event.
        return HtmxPages.Done(context, PagePath, ReplayedNotice, EventsChanged);
    }
}
