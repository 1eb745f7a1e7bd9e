namespace App.Infrastructure.Telemetry;

/// <summary>
/// Reads what only PostgreSQL knows (connections by status, the webhook backlog, parked events) every few seconds for
/// <see cref="CalendlyMetrics"/>' gauges, which a scrape then reads from memory: a scrape never waits on the database.
/// Every instance reports the same figures; alert on their max, not their sum.
/// </summary>
public sealed class DatabaseGauges(NpgsqlDataSource db, CalendlyMetrics metrics, TimeProvider clock, ILogger<DatabaseGauges> logger)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    // Both statuses always, so that a status with no connection reads 0 rather than vanishing.
    private const string Sql = """
        select s.status, count(i.id)
        from unnest(array['active', 'needs_reconnect']) as s(status)
        left join calendly_integrations i on i.status = s.status
        group by s.status;
        select count(*) filter (where parked_at is null) as backlog, count(*) filter (where parked_at is not null) as parked
        from calendly_webhook_events where processed_at is null;
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                metrics.Observed(await ReadAsync(db, stoppingToken));
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The gauges keep their last figures; the outage itself is reported where requests meet it.
                logger.LogDebug(e, "Could not read the database figures for the metrics");
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public static async Task<CalendlyMetrics.DatabaseFigures> ReadAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(Sql, cancellationToken: ct));
        var connections = (await results.ReadAsync<(string Status, long Count)>()).ToDictionary(s => s.Status, s => s.Count);
        var events = await results.ReadSingleAsync<(long Backlog, long Parked)>();
        return new CalendlyMetrics.DatabaseFigures(connections, events.Backlog, events.Parked);
    }
}
