using App.Infrastructure.Telemetry;

[assembly: NavigationLink(App.Features.Operations.OperationsModule.PagePath, "Health", 55, ShownTo = Audience.Admins)]

namespace App.Features.Operations;

/// <summary>
/// The operations page (admins only): the last hour as small charts and every coach's connection with what it needs.
/// What PostgreSQL knows (webhook lag and backlog, token refreshes, connection states) is read from it, so every
/// instance draws the same picture; what only a process knows (its Calendly calls, its free-times cache) comes from
/// this instance's minute samples (<see cref="ProcessSamples"/>) and says so. htmx redraws the panels every minute.
/// </summary>
public sealed class OperationsModule : ICarterModule
{
    public const string PagePath = "/admin/health";

    public sealed record ConnectionStates(long Active, long NeedsReconnect, long RefreshFailing, long WithoutWebhooks);

    public sealed record CoachHealth(
        long UserId, string Coach, string Status, string GrantedScopes, string WebhookState, DateTimeOffset? LastWebhookAt,
        DateTimeOffset? LastSyncAt, int FailedRefreshCount, string? LastRefreshError, DateTimeOffset? NextRefreshAt,
        int FailedSyncCount, string? LastSyncError)
    {
        public IReadOnlyList<string> MissingScopes => CalendlyScopes.Missing(CalendlyScopes.Parse(GrantedScopes));
    }

    public sealed record HealthView(string Instance, IReadOnlyList<Chart> Shared, IReadOnlyList<Chart> Process, ConnectionStates States,
        IReadOnlyList<CoachHealth> Coaches);

    // Minute 0 is 59 minutes ago, minute 59 the one under way; -1 gathers everything before the hour.
    private const string HourSql = """
        with bounds as (select date_trunc('minute', now()) - interval '59 minutes' as start),
        recent as (
            select received_at, coalesce(processed_at, parked_at) as left_at,
                   extract(epoch from processed_at - received_at)::float8 as lag
            from calendly_webhook_events, bounds
            where processed_at is null or processed_at >= bounds.start),
        arrivals as (
            select greatest(floor(extract(epoch from received_at - start) / 60), -1)::int as minute, count(*) as n
            from recent, bounds group by 1),
        departures as (
            select greatest(floor(extract(epoch from left_at - start) / 60), -1)::int as minute, count(*) as n, max(lag) as max_lag
            from recent, bounds where left_at is not null group by 1)
        select m.minute, (sum(coalesce(a.n, 0) - coalesce(d.n, 0)) over (order by m.minute))::bigint as backlog, d.max_lag
        from generate_series(-1, 59) as m(minute)
        left join arrivals a on a.minute = m.minute
        left join departures d on d.minute = m.minute
        order by m.minute;

        select floor(extract(epoch from at - (date_trunc('minute', now()) - interval '59 minutes')) / 60)::int as minute, outcome,
               count(*) as n
        from calendly_token_refreshes
        where at >= date_trunc('minute', now()) - interval '59 minutes'
        group by 1, 2;

        select count(*) filter (where status = 'active') as active,
               count(*) filter (where status = 'needs_reconnect') as needs_reconnect,
               count(*) filter (where status = 'active' and failed_refresh_count > 0) as refresh_failing,
               count(*) filter (where status = 'active' and webhook_state <> 'active') as without_webhooks
        from calendly_integrations;

        select u.id as user_id, coalesce(u.name, u.email, u.external_id) as coach, i.status, i.granted_scopes, i.webhook_state,
               i.last_webhook_at, i.last_sync_at, i.failed_refresh_count, i.last_refresh_error, i.next_refresh_at,
               i.failed_sync_count, i.last_sync_error
        from calendly_integrations i join users u on u.id = i.user_id
        order by (i.status = 'needs_reconnect') desc, (i.failed_refresh_count + i.failed_sync_count) desc, coach
        limit 500;
        """;

    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapGet(PagePath, ShowHealth).RequireAuthorization().ExcludeFromDescription();

    public static async Task<IResult> ShowHealth(HttpContext context, CurrentUser user, NpgsqlDataSource db, ProcessSamples samples,
        TelemetryOptions telemetry, CancellationToken ct)
    {
        if (!user.IsAdmin)
            return ErrorPages.Page(context, StatusCodes.Status403Forbidden, "For admins only", "This page shows every coach's connection.");
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(HourSql, cancellationToken: ct));
        var webhooks = (await results.ReadAsync<(int Minute, long Backlog, double? MaxLag)>()).Where(m => m.Minute >= 0).ToList();
        var refreshes = (await results.ReadAsync<(int Minute, string Outcome, long Count)>()).ToList();
        var states = await results.ReadSingleAsync<ConnectionStates>();
        var coaches = (await results.ReadAsync<CoachHealth>()).AsList();

        var view = new HealthView(telemetry.Instance, SharedCharts(webhooks, refreshes), ProcessCharts(samples.LastHour()), states, coaches);
        return HtmxPages.PageOrPartial(context, HealthPage.Create(view), _HealthPanels.Create(view));
    }

    private static IReadOnlyList<Chart> SharedCharts(IReadOnlyList<(int Minute, long Backlog, double? MaxLag)> webhooks,
        IReadOnlyList<(int Minute, string Outcome, long Count)> refreshes)
    {
        double?[] PerMinute(string outcome) =>
            [.. Enumerable.Range(0, ProcessSamples.Minutes).Select(m => (double?)refreshes.Where(r => r.Minute == m && r.Outcome == outcome).Sum(r => r.Count))];
        var worstLag = webhooks.Max(m => m.MaxLag);
        var refreshed = refreshes.Where(r => r.Outcome == "refreshed").Sum(r => r.Count);
        var failed = refreshes.Where(r => r.Outcome != "refreshed").Sum(r => r.Count);
        return
        [
            new("webhook-lag", "Webhook lag", worstLag is { } lag ? $"worst {Chart.Number(lag)} s from arrival to applied" : "no event applied",
                [new("slowest event applied in the minute", "series-a", [.. webhooks.Select(m => m.MaxLag)])], " s"),
            new("webhook-backlog", "Webhook backlog", $"{webhooks[^1].Backlog} waiting now (peak {webhooks.Max(m => m.Backlog)} at the end of a minute)",
                [new("events waiting to be applied", "series-b", [.. webhooks.Select(m => (double?)m.Backlog)])]),
            new("token-refreshes", "Token refreshes", $"{refreshed} refreshed, {failed} failed",
                [new("refreshed", "series-ok", PerMinute("refreshed")), new("failed (retried)", "series-warn", PerMinute("failed")),
                 new("dead grant (coach must reconnect)", "series-err", PerMinute("dead_grant"))]),
        ];
    }

    private static IReadOnlyList<Chart> ProcessCharts(IReadOnlyList<ProcessSamples.Sample?> minutes)
    {
        var known = minutes.OfType<ProcessSamples.Sample>().ToList();
        var lookups = known.Sum(s => s.CacheHits + s.CacheMisses + s.CacheStale);
        var hits = known.Sum(s => s.CacheHits);
        return
        [
            new("calendly-calls", "Calendly calls", $"{known.Sum(s => s.Calls)} attempts, {known.Sum(s => s.CallErrors)} failed, {known.Sum(s => s.CallsRateLimited)} answered 429",
                [new("attempts", "series-a", [.. minutes.Select(s => (double?)s?.Calls)]),
                 new("failed (5xx, network, timeout)", "series-err", [.. minutes.Select(s => (double?)s?.CallErrors)]),
                 new("429 rate limited", "series-warn", [.. minutes.Select(s => (double?)s?.CallsRateLimited)])]),
            new("cache-hits", "Free-times cache hit ratio", lookups == 0 ? "no lookup" : $"{100.0 * hits / lookups:0}% of {lookups} lookups",
                [new("hits", "series-ok", [.. minutes.Select(s => PercentOfLookups(s, s?.CacheHits ?? 0))]),
                 new("stale answers", "series-warn", [.. minutes.Select(s => PercentOfLookups(s, s?.CacheStale ?? 0))])], " %"),
        ];
    }

    // Percent of the minute's lookups; no point for a minute without one.
    private static double? PercentOfLookups(ProcessSamples.Sample? s, long part) =>
        s is null || s.CacheHits + s.CacheMisses + s.CacheStale == 0 ? null : 100.0 * part / (s.CacheHits + s.CacheMisses + s.CacheStale);

    /// <summary>What the coach's state asks of someone, the most pressing first; null when it asks nothing.</summary>
    public static string? ActionFor(CoachHealth coach) => coach switch
    {
        { Status: CalendlyTokens.NeedsReconnect } =>
            "Ask the coach to reconnect Calendly (dashboard, Reconnect Calendly): Calendly no longer accepts the grant.",
        { MissingScopes.Count: > 0 } =>
            $"Ask the coach to reconnect, granting {string.Join(", ", coach.MissingScopes)} (ticked for the app in Calendly's developer console first).",
        { WebhookState: "unsupported_plan" } => "None: Calendly refuses webhooks on this plan, so the coach is polled; a paid plan makes updates real-time.",
        { WebhookState: "disabled" or "missing" } =>
            "None unless it stays: the webhook health check recreates the subscription (if it does not, check that Calendly reaches PUBLIC_BASE_URL).",
        { FailedRefreshCount: > 0 } =>
            "None: refreshes back off and retry by themselves. If many coaches fail at once, see the Calendly outage runbook.",
        { FailedSyncCount: > 0 } => "None: the sync retries with backoff. Read the error; if it names a scope or plan, the coach must act.",
        _ => null,
    };
}
