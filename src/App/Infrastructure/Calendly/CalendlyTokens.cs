using App.Infrastructure.Telemetry;
using Microsoft.AspNetCore.DataProtection;

namespace App.Infrastructure.Calendly;

/// <summary>
/// The token lifecycle of one coach's Calendly connection: tokens encrypted at rest, an access token that is
/// refreshed before it expires, and refreshes that are safe across processes. Calendly rotates the refresh token on
/// every refresh and kills the old one at once, so two refreshes racing, or a refresh whose answer is not saved,
/// would disconnect the coach for good. Hence: one refresh at a time per integration (in this instance, requests share
/// the refresh in flight; across instances, a row lock in PostgreSQL held across the call to Calendly), a re-read under
/// that lock (another instance may have refreshed already), and the new tokens saved in the same transaction, straight
/// after Calendly answers and regardless of any caller's cancellation.
/// <para>
/// The window that remains: a crash between Calendly's answer and the commit loses the only copy of the new refresh
/// token. Nothing can recover it; the next refresh presents the old token, Calendly answers invalid_grant, the
/// connection is marked needs_reconnect, and the coach is asked to reconnect.
/// </para>
/// </summary>
public sealed class CalendlyTokens(
    NpgsqlDataSource db,
    IHttpClientFactory httpClients,
    CalendlyOptions calendly,
    CalendlyBudget budget,
    IDataProtectionProvider dataProtection,
    TokenLifecycleOptions options,
    TimeProvider clock,
    CalendlyMetrics metrics,
    ILogger<CalendlyTokens> logger)
{
    public const string Active = "active";
    public const string NeedsReconnect = "needs_reconnect";

    private readonly IDataProtector _cipher = dataProtection.CreateProtector("calendly-tokens");

    private sealed record IntegrationRow(
        long Id, long UserId, string AccessToken, string RefreshToken, DateTimeOffset ExpiresAt, string Status,
        int FailedRefreshCount, DateTimeOffset? NextRefreshAt);

    private const string SelectForUpdateSql = """
        select id, user_id, access_token, refresh_token, expires_at, status, failed_refresh_count, next_refresh_at
        from calendly_integrations where user_id = @UserId
        for update
        """;

    private const string SelectSql = """
        select id, user_id, access_token, refresh_token, expires_at, status, failed_refresh_count, next_refresh_at
        from calendly_integrations where user_id = @UserId
        """;

    /// <summary>A usable access token for the coach, refreshed first when it expires within the skew.</summary>
    public async Task<string> GetAccessTokenAsync(long userId, CancellationToken ct)
    {
        IntegrationRow? row;
        await using (var connection = await db.OpenConnectionAsync(ct))
            row = await connection.QuerySingleOrDefaultAsync<IntegrationRow>(new CommandDefinition(SelectSql, new { UserId = userId }, cancellationToken: ct));
        if (row is null) throw NotConnected();
        if (row.Status == NeedsReconnect) throw MustReconnect();
        return row.ExpiresAt - clock.GetUtcNow() > options.RefreshSkew
            ? Reveal(row.AccessToken)
            : await RefreshAsync(userId, RefreshTrigger.Expiring(clock.GetUtcNow() + options.RefreshSkew), ct);
    }

    /// <summary>Why a refresh is wanted, so that a refresh someone else already made is recognised and skipped.</summary>
    public sealed record RefreshTrigger(string? RejectedAccessToken, DateTimeOffset? ExpiringBefore)
    {
        /// <summary>Calendly answered 401 to this token: refresh unless the stored token is already another one.</summary>
        public static RefreshTrigger Rejected(string accessToken) => new(accessToken, null);

        /// <summary>The token expires before this time: refresh unless it has been replaced by a longer-lived one.</summary>
        public static RefreshTrigger Expiring(DateTimeOffset before) => new(null, before);

        /// <summary>As the metrics and the operations page name it.</summary>
        public string Reason => RejectedAccessToken is null ? "expiring" : "rejected";
    }

    public enum RefreshOutcome { Refreshed, AlreadyFresh }

    /// <summary>Refreshes the coach's tokens under the row lock and returns the access token to use.</summary>
    public async Task<string> RefreshAsync(long userId, RefreshTrigger trigger, CancellationToken ct) =>
        (await RefreshWithOutcomeAsync(userId, trigger, ct)).AccessToken;

    /// <summary>
    /// One refresh per coach per instance at a time: requests for the same coach share the refresh in flight and wait
    /// for its result holding no database connection (only the refresh holds one, and the row lock that keeps other
    /// instances out), so one coach's slow answer from Calendly cannot use up the pool. The refresh runs to its own
    /// deadline: a caller that goes away stops waiting, the refresh goes on and its tokens are saved.
    /// </summary>
    public async Task<(string AccessToken, RefreshOutcome Outcome)> RefreshWithOutcomeAsync(long userId, RefreshTrigger trigger, CancellationToken ct)
    {
        var mine = new Lazy<Task<(string AccessToken, RefreshOutcome Outcome)>>(() => RefreshUnderLockAsync(userId, trigger));
        var flight = _inFlight.GetOrAdd(userId, mine);
        if (ReferenceEquals(flight, mine))
            _ = mine.Value.ContinueWith(_ => _inFlight.TryRemove(new KeyValuePair<long, Lazy<Task<(string, RefreshOutcome)>>>(userId, mine)),
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        var shared = await flight.Value.WaitAsync(ct);
        // Another caller's refresh found the token this caller saw rejected still fresh: this one needs its own.
        return trigger.RejectedAccessToken is { } rejected && shared.AccessToken == rejected && !ReferenceEquals(flight, mine)
            ? await RefreshUnderLockAsync(userId, trigger).WaitAsync(ct)
            : shared;
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, Lazy<Task<(string AccessToken, RefreshOutcome Outcome)>>> _inFlight = new();

    /// <summary>
    /// Once every refresh in flight has saved its tokens (or failed): a stopping instance waits for this, since Calendly
    /// may already have rotated the refresh token whose replacement only such a refresh holds.
    /// </summary>
    public Task WhenRefreshesDoneAsync() =>
        Task.WhenAll(_inFlight.Values.Select(flight => flight.Value.ContinueWith(_ => { }, TaskScheduler.Default)));

    // A wait for another instance's refresh ends as a typed failure, within a command timeout of its own (the pool's
    // is a second: DATABASE_COMMAND_TIMEOUT_SECONDS).
    private const string LockTimeout = "20s";
    private const int LockWaitCommandTimeoutSeconds = 25;

    private async Task<(string AccessToken, RefreshOutcome Outcome)> RefreshUnderLockAsync(long userId, RefreshTrigger trigger)
    {
        var ct = CancellationToken.None; // see RefreshWithOutcomeAsync: the refresh is bounded by its own deadlines, not a caller's
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition($"set local lock_timeout = '{LockTimeout}'", transaction: transaction, cancellationToken: ct));
        IntegrationRow? row;
        try
        {
            row = await connection.QuerySingleOrDefaultAsync<IntegrationRow>(
                new CommandDefinition(SelectForUpdateSql, new { UserId = userId }, transaction, LockWaitCommandTimeoutSeconds, cancellationToken: ct));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            throw new CalendlyException(CalendlyFailure.Unavailable,
                "Another instance is refreshing this Calendly connection and Calendly is slow to answer; try again shortly.");
        }
        if (row is null) throw NotConnected();
        if (row.Status == NeedsReconnect) throw MustReconnect();

        var storedAccessToken = Reveal(row.AccessToken);
        var alreadyRefreshed = trigger.RejectedAccessToken is { } rejected
            ? rejected != storedAccessToken
            : row.ExpiresAt > trigger.ExpiringBefore;
        if (alreadyRefreshed)
        {
            await transaction.CommitAsync(ct);
            metrics.TokenRefreshed("already_fresh", trigger.Reason);
            return (storedAccessToken, RefreshOutcome.AlreadyFresh);
        }
        if (row.NextRefreshAt is { } notBefore && notBefore > clock.GetUtcNow())
            throw new CalendlyException(CalendlyFailure.Unavailable,
                $"Refreshing this Calendly connection failed recently; the next try is at {notBefore:u}.");

        await budget.WaitForTokenRequestAsync(userId, ct);
        TokenResponse tokens;
        try
        {
            // Not the caller's token: once the request is sent, Calendly may rotate whether or not we are still
            // listening, so the answer must be awaited and saved. The resilience pipeline bounds the wait.
            tokens = await CalendlyClient.For(httpClients, calendly).RefreshAsync(Reveal(row.RefreshToken), CancellationToken.None);
        }
        catch (CalendlyException e)
        {
            await RecordFailureAsync(connection, transaction, row, e);
            throw;
        }
        await RecordOutcomeAsync(connection, transaction, "refreshed", trigger.Reason);

        const string saveSql = """
            update calendly_integrations
            set access_token = @AccessToken, refresh_token = @RefreshToken, expires_at = @ExpiresAt,
                status = 'active', failed_refresh_count = 0, next_refresh_at = null, refresh_lease_until = null,
                last_refreshed_at = now(), last_refresh_error = null, updated_at = now()
            where id = @Id
            """;
        await connection.ExecuteAsync(new CommandDefinition(saveSql, new
        {
            row.Id,
            AccessToken = _cipher.Protect(tokens.AccessToken),
            RefreshToken = _cipher.Protect(tokens.RefreshToken),
            tokens.ExpiresAt,
        }, transaction));
        await transaction.CommitAsync(CancellationToken.None);
        logger.LogInformation("Refreshed the Calendly tokens of user {UserId}; the new access token expires at {ExpiresAt:u}", userId, tokens.ExpiresAt);
        return (tokens.AccessToken, RefreshOutcome.Refreshed);
    }

    /// <summary>
    /// Classifies a failed refresh: only a dead grant (invalid_grant, a revoked token) means reconnect, since only the
    /// coach can fix it; anything else (Calendly down, rate limited, a broken answer) backs off exponentially, up to
    /// the longest wait, for as long as it lasts: an outage must not cost coaches their connections.
    /// </summary>
    private async Task RecordFailureAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IntegrationRow row, CalendlyException e)
    {
        var failures = row.FailedRefreshCount + 1;
        var mustReconnect = e.Failure == CalendlyFailure.ReconnectRequired;
        var backoff = TimeSpan.FromTicks(Math.Min(options.RefreshBackoffBase.Ticks * (1L << Math.Min(failures - 1, 20)), options.RefreshBackoffMax.Ticks));
        const string sql = """
            update calendly_integrations
            set failed_refresh_count = @Failures, status = @Status, next_refresh_at = @NextRefreshAt,
                refresh_lease_until = null, last_refresh_error = @Error, updated_at = now()
            where id = @Id
            """;
        await RecordOutcomeAsync(connection, transaction, mustReconnect ? "dead_grant" : "failed", e.Code);
        await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            row.Id,
            Failures = failures,
            Status = mustReconnect ? NeedsReconnect : Active,
            NextRefreshAt = mustReconnect ? (DateTimeOffset?)null : clock.GetUtcNow() + backoff,
            Error = e.Message,
        }, transaction));
        await transaction.CommitAsync(CancellationToken.None);

        if (e.Failure == CalendlyFailure.ReconnectRequired)
            logger.LogWarning("Calendly rejected the stored refresh token of user {UserId} (invalid_grant): the coach must reconnect. "
                + "If an earlier refresh crashed after Calendly answered and before its tokens were saved, that rotation was lost.", row.UserId);
        else
            logger.LogWarning("Refreshing the Calendly tokens of user {UserId} failed ({Failure}, {Failures} in a row){Next}",
                row.UserId, e.Failure, failures, mustReconnect ? "; the coach must reconnect" : $"; next try in {backoff}");
    }

    /// <summary>
    /// Counts a refresh that reached Calendly, and keeps it for the operations page's last hour (in the refresh's own
    /// transaction: what is shown is what was saved). Rows older than a day go with each insert.
    /// </summary>
    private async Task RecordOutcomeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string outcome, string reason)
    {
        const string sql = """
            with purged as (delete from calendly_token_refreshes where at < now() - interval '1 day')
            insert into calendly_token_refreshes (outcome, reason) values (@Outcome, @Reason)
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, new { Outcome = outcome, Reason = reason }, transaction));
        metrics.TokenRefreshed(outcome, reason);
    }

    /// <summary>Marks the connection as needing the coach to reconnect (a second 401 after a refresh).</summary>
    public async Task MarkNeedsReconnectAsync(long userId, string reason, CancellationToken ct)
    {
        const string sql = """
            update calendly_integrations set status = 'needs_reconnect', last_refresh_error = @Reason, updated_at = now()
            where user_id = @UserId
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql, new { UserId = userId, Reason = reason }, cancellationToken: CancellationToken.None));
        logger.LogWarning("The Calendly connection of user {UserId} needs reconnecting: {Reason}", userId, reason);
    }

    /// <summary>
    /// Stores a fresh connection (OAuth callback); reconnecting resets every failure counter. False when that Calendly
    /// account is already connected to another user here: webhooks name the account, so it can belong to one user only.
    /// </summary>
    public async Task<bool> SaveConnectionAsync(long userId, TokenResponse tokens, CalendlyUser calendlyUser, CancellationToken ct)
    {
        const string sql = """
            insert into calendly_integrations
                (user_id, access_token, refresh_token, expires_at, calendly_user_uri, organization_url, scheduling_url, granted_scopes,
                 calendly_name, calendly_email)
            values (@UserId, @AccessToken, @RefreshToken, @ExpiresAt, @CalendlyUserUri, @OrganizationUrl, @SchedulingUrl, @GrantedScopes,
                    @CalendlyName, @CalendlyEmail)
            on conflict (user_id) do update set
                access_token = excluded.access_token, refresh_token = excluded.refresh_token, expires_at = excluded.expires_at,
                granted_scopes = excluded.granted_scopes,
                calendly_user_uri = excluded.calendly_user_uri, organization_url = excluded.organization_url,
                scheduling_url = excluded.scheduling_url, calendly_name = excluded.calendly_name,
                calendly_email = excluded.calendly_email, status = 'active', failed_refresh_count = 0,
                next_refresh_at = null, refresh_lease_until = null, last_refresh_error = null, updated_at = now(),
                -- Another Calendly account has other subscriptions: the health check starts afresh for it.
                webhook_state = case when calendly_integrations.calendly_user_uri = excluded.calendly_user_uri
                                     then calendly_integrations.webhook_state else 'missing' end,
                webhook_subscription_uri = case when calendly_integrations.calendly_user_uri = excluded.calendly_user_uri
                                                then calendly_integrations.webhook_subscription_uri end,
                webhook_checked_at = null
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(sql, new
            {
                UserId = userId,
                AccessToken = _cipher.Protect(tokens.AccessToken),
                RefreshToken = _cipher.Protect(tokens.RefreshToken),
                tokens.ExpiresAt,
                CalendlyUserUri = calendlyUser.Uri,
                OrganizationUrl = tokens.Organization,
                calendlyUser.SchedulingUrl,
                CalendlyName = UserProvisioning.PersonName(calendlyUser.Name),
                CalendlyEmail = calendlyUser.Email,
                // Refreshing keeps a grant's scopes, so what the code exchange granted holds until the next connect.
                GrantedScopes = string.Join(' ', CalendlyScopes.Parse(tokens.Scope)),
            }, cancellationToken: ct));
            return true;
        }
        catch (PostgresException e) when (e is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "calendly_integrations_calendly_user_uri_key" })
        {
            return false;
        }
    }

    /// <summary>Deletes the connection and returns its tokens, decrypted, so that the caller can revoke them.</summary>
    public async Task<(string AccessToken, string RefreshToken)?> DeleteConnectionAsync(long userId, CancellationToken ct)
    {
        const string sql = "delete from calendly_integrations where user_id = @UserId returning access_token, refresh_token";
        await using var connection = await db.OpenConnectionAsync(ct);
        var removed = await connection.QuerySingleOrDefaultAsync<(string AccessToken, string RefreshToken)?>(
            new CommandDefinition(sql, new { UserId = userId }, cancellationToken: ct));
        try
        {
            return removed is { } r ? (Reveal(r.AccessToken), Reveal(r.RefreshToken)) : null;
        }
        catch (CalendlyException)
        {
            return null; // Undecryptable tokens cannot be revoked; the connection is gone from here all the same.
        }
    }

    /// <summary>Decrypts a stored token; one that cannot be decrypted (DATA_PROTECTION_KEK changed) means reconnecting.</summary>
    private string Reveal(string ciphertext)
    {
        try
        {
            return _cipher.Unprotect(ciphertext);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new CalendlyException(CalendlyFailure.ReconnectRequired,
                "The stored Calendly tokens cannot be decrypted (was DATA_PROTECTION_KEK changed?); reconnect Calendly.", inner: e);
        }
    }

    private static CalendlyException NotConnected() =>
        new(CalendlyFailure.NotConnected, "Connect your Calendly account first.");

    private static CalendlyException MustReconnect() =>
        new(CalendlyFailure.ReconnectRequired, "This Calendly connection needs to be reconnected.");
}
