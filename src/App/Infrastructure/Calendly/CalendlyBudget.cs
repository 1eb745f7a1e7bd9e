using System.Threading.RateLimiting;

namespace App.Infrastructure.Calendly;

/// <summary>
/// Keeps each coach's calls under Calendly's per-user limits before Calendly has to answer 429: a sliding minute of API
/// requests and a separate one for token requests (Calendly allows 8 a minute per user). The budgets live in
/// PostgreSQL (calendly_budgets), so every instance draws on the same one and a restart does not reset it: Calendly
/// counts per user, whichever instance calls. A call over budget waits for room, up to the call's deadline, and fails
/// at once when room comes too late.
/// </summary>
public sealed class CalendlyBudget(NpgsqlDataSource db, CalendlyResilienceOptions options, TimeProvider clock) : IDisposable
{
    // A steady pace rather than a burst per minute: at most one second's worth at once, so that any minute-long window
    // of the upstream's counts stays within the limit. Per instance: it paces this process's token requests over all
    // users for an upstream (or a simulator run) with a global limit; Calendly's limits are the per-user ones.
    private readonly RateLimiter? _allTokenRequests = options.TokenRequestsPerMinute > 0
        ? new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, options.TokenRequestsPerMinute / 60),
            TokensPerPeriod = Math.Max(1, options.TokenRequestsPerMinute / 60),
            ReplenishmentPeriod = TimeSpan.FromSeconds(Math.Max(1, options.TokenRequestsPerMinute / 60) * 60.0 / options.TokenRequestsPerMinute),
            QueueLimit = 1_000_000,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        })
        : null;

    public Task WaitForRequestAsync(long userId, CancellationToken ct) =>
        WaitAsync(userId, "api", options.UserRequestsPerMinute, "API requests", ct);

    public async Task WaitForTokenRequestAsync(long userId, CancellationToken ct)
    {
        await WaitAsync(userId, "token", options.UserTokenRequestsPerMinute, "token requests", ct);
        if (_allTokenRequests is null) return;
        // Waiting for the shared pace is not this coach's fault: no deadline beyond the caller's own.
        using var lease = await _allTokenRequests.AcquireAsync(1, ct);
    }

    // One statement, so concurrent callers (any instance) serialise on the coach's row: the count in the WHERE is
    // re-checked against the row as the previous grant left it. Nothing returned: the budget is used up.
    private const string TakeSql = """
        insert into calendly_budgets as b (user_id, kind, granted_at) values (@UserId, @Kind, array[now()])
        on conflict (user_id, kind) do update
        set granted_at = array(select g from unnest(b.granted_at) g where g > now() - interval '1 minute') || now()
        where (select count(*) from unnest(b.granted_at) g where g > now() - interval '1 minute') < @Limit
        returning true
        """;

    // When the oldest grant of the last minute leaves the window, there is room again.
    private const string RoomInSql = """
        select coalesce(extract(epoch from min(g) + interval '1 minute' - now()), 0)
        from calendly_budgets b, unnest(b.granted_at) g
        where b.user_id = @UserId and b.kind = @Kind and g > now() - interval '1 minute'
        """;

    private async Task WaitAsync(long userId, string kind, int limit, string what, CancellationToken ct)
    {
        var giveUpAt = clock.GetUtcNow() + options.Deadline;
        while (true)
        {
            double roomInSeconds;
            await using (var connection = await db.OpenConnectionAsync(ct))
            {
                var args = new { UserId = userId, Kind = kind, Limit = limit };
                if (await connection.ExecuteScalarAsync<bool?>(new CommandDefinition(TakeSql, args, cancellationToken: ct)) == true) return;
                roomInSeconds = await connection.ExecuteScalarAsync<double>(new CommandDefinition(RoomInSql, args, cancellationToken: ct));
            }
            // A little jitter, so that callers waiting for the same room do not all ask at the same instant.
            var wait = TimeSpan.FromSeconds(Math.Max(roomInSeconds, 0)) + TimeSpan.FromMilliseconds(Random.Shared.Next(10, 60));
            if (clock.GetUtcNow() + wait > giveUpAt) throw OverBudget(what);
            await Task.Delay(wait, clock, ct);
        }
    }

    private static CalendlyException OverBudget(string what) =>
        new(CalendlyFailure.RateLimited, $"This coach's Calendly budget of {what} per minute is used up; try again in a minute.");

    public void Dispose() => _allTokenRequests?.Dispose();
}
