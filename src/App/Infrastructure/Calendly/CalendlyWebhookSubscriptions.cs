namespace App.Infrastructure.Calendly;

/// <summary>
/// Each connected coach's user-scoped Calendly webhook subscription to this app's URL: made sure of (reused, repaired or
/// created) and deleted on disconnect. Its state is kept on the connection row (webhook_state, webhook_subscription_uri,
/// webhook_checked_at) so that the health check and the status page see it.
/// </summary>
public static class CalendlyWebhookSubscriptions
{
    public const string Active = "active";
    public const string Disabled = "disabled";
    public const string Missing = "missing";
    /// <summary>Calendly refuses webhooks on this account's plan: the coach's bookings are polled instead.</summary>
    public const string UnsupportedPlan = "unsupported_plan";
    /// <summary>
    /// The grant lacks a scope the subscription needs (webhooks:write, or the read scope of an event family). Not polled:
    /// the fix is the coach's (allow the scope, reconnect), and the connection card says so instead of hiding it.
    /// </summary>
    public const string ScopeMissing = "scope_missing";

    /// <summary>
    /// What the app acts on: bookings for sessions, event type changes for the coach's cached event types and free times.
    /// All allow the user scope, so one subscription takes them. Calendly has no update: a subscription lacking one is recreated.
    /// </summary>
    public static readonly IReadOnlyList<string> Events =
        ["invitee.created", "invitee.canceled", "invitee_no_show.created", "invitee_no_show.deleted",
         "event_type.created", "event_type.updated", "event_type.deleted"];

    public const string WebhookPath = "api/calendly/webhooks";

    public static string CallbackUrl(HostingOptions hosting) => new Uri(hosting.PublicBaseUrl, WebhookPath).ToString();

    /// <summary>
    /// The outcome of one check. <paramref name="Created"/>: no usable subscription existed (none, deleted behind our back,
    /// or disabled), so deliveries may have been missed since <paramref name="MissedSince"/>.
    /// </summary>
    public sealed record Checked(string State, bool Created, string? SubscriptionUri, string CalendlyUserUri, DateTimeOffset MissedSince);

    private sealed record Connection(string CalendlyUserUri, string? OrganizationUrl, string? WebhookSubscriptionUri,
        DateTimeOffset? LastWebhookAt, DateTimeOffset CreatedAt);

    /// <summary>Verifies the coach's subscription with Calendly and repairs it; null when the coach has no active connection.</summary>
    public static async Task<Checked?> EnsureAsync(NpgsqlDataSource db, CalendlyCalls calls, HostingOptions hosting, long userId,
        CancellationToken ct)
    {
        Connection? connection;
        await using (var read = await db.OpenConnectionAsync(ct))
            connection = await read.QuerySingleOrDefaultAsync<Connection>(new CommandDefinition("""
                select calendly_user_uri, organization_url, webhook_subscription_uri, last_webhook_at, created_at
                from calendly_integrations where user_id = @userId and status = 'active'
                """, new { userId }, cancellationToken: ct));
        if (connection is null) return null;

        var callbackUrl = CallbackUrl(hosting);
        var organization = connection.OrganizationUrl
            ?? (await calls.RunAsync(userId, (c, accessToken) => c.GetCurrentUserAsync(accessToken, ct), ct)).CurrentOrganization;
        var missedSince = connection.LastWebhookAt ?? connection.CreatedAt;

        Checked result;
        try
        {
            var ours = await ListOursAsync(calls, userId, organization, connection.CalendlyUserUri, callbackUrl, ct);
            var usable = ours.FirstOrDefault(IsUsable);
            if (usable is not null)
                result = new Checked(Active, false, usable.Uri, connection.CalendlyUserUri, missedSince);
            else
            {
                // Disabled after 24 hours of failed deliveries, or lacking an event: Calendly offers no update, only delete and create.
                foreach (var stale in ours) await DeleteQuietlyAsync(calls, userId, stale.Uri, ct);
                var created = await CreateAsync(calls, userId, organization, connection.CalendlyUserUri, callbackUrl, ct);
                await RecordCreatedAsync(db, userId, created.Uri, callbackUrl, ct);
                result = new Checked(created.State, true, created.Uri, connection.CalendlyUserUri, missedSince);
            }
            await DeleteOursElsewhereAsync(db, calls, userId, callbackUrl, ct);
        }
        catch (CalendlyException e) when (e.Failure is CalendlyFailure.PlanRequired or CalendlyFailure.ScopeMissing)
        {
            result = new Checked(e.Failure == CalendlyFailure.PlanRequired ? UnsupportedPlan : ScopeMissing, false, null,
                connection.CalendlyUserUri, missedSince);
        }

        await using var write = await db.OpenConnectionAsync(ct);
        await write.ExecuteAsync(new CommandDefinition("""
            update calendly_integrations
            set webhook_state = @State, webhook_subscription_uri = @SubscriptionUri, webhook_checked_at = now()
            where user_id = @userId and calendly_user_uri = @CalendlyUserUri
            """, new { result.State, result.SubscriptionUri, userId, result.CalendlyUserUri }, cancellationToken: ct));
        return result;
    }

    /// <summary>Deletes the coach's stored subscription (already gone counts as done). Call it while the tokens still work.</summary>
    public static async Task DeleteAsync(NpgsqlDataSource db, CalendlyCalls calls, long userId, CancellationToken ct)
    {
        string? subscriptionUri;
        await using (var connection = await db.OpenConnectionAsync(ct))
            subscriptionUri = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
                "select webhook_subscription_uri from calendly_integrations where user_id = @userId", new { userId }, cancellationToken: ct));
        if (subscriptionUri is null) return;
        await DeleteQuietlyAsync(calls, userId, subscriptionUri, ct);
        await using var write = await db.OpenConnectionAsync(ct);
        await write.ExecuteAsync(new CommandDefinition("""
            update calendly_integrations set webhook_subscription_uri = null, webhook_state = 'missing'
            where user_id = @userId and webhook_subscription_uri = @subscriptionUri;
            delete from calendly_created_webhook_subscriptions where uri = @subscriptionUri;
            """, new { userId, subscriptionUri }, cancellationToken: ct));
    }

    private const string RecordCreatedSql = """
        insert into calendly_created_webhook_subscriptions (uri, user_id, callback_url) values (@Uri, @UserId, @CallbackUrl)
        on conflict (uri) do nothing
        """;

    private static async Task RecordCreatedAsync(NpgsqlDataSource db, long userId, string uri, string callbackUrl, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(RecordCreatedSql, new { Uri = uri, UserId = userId, CallbackUrl = callbackUrl },
            cancellationToken: ct));
    }

    /// <summary>
    /// The subscriptions this app created for the coach that deliver elsewhere (an address the app no longer has, or
    /// another instance's): each is deleted at Calendly and forgotten, so every event arrives once. A subscription the
    /// app did not create is never touched.
    /// </summary>
    private static async Task DeleteOursElsewhereAsync(NpgsqlDataSource db, CalendlyCalls calls, long userId, string callbackUrl,
        CancellationToken ct)
    {
        List<string> elsewhere;
        await using (var read = await db.OpenConnectionAsync(ct))
            elsewhere = (await read.QueryAsync<string>(new CommandDefinition(
                "select uri from calendly_created_webhook_subscriptions where user_id = @userId and callback_url <> @callbackUrl",
                new { userId, callbackUrl }, cancellationToken: ct))).AsList();
        foreach (var uri in elsewhere)
        {
            await DeleteQuietlyAsync(calls, userId, uri, ct);
            await using var write = await db.OpenConnectionAsync(ct);
            await write.ExecuteAsync(new CommandDefinition("delete from calendly_created_webhook_subscriptions where uri = @uri",
                new { uri }, cancellationToken: ct));
        }
    }

    private static bool IsUsable(WebhookSubscription s) => s.State == Active && Events.All(s.Events.Contains);

    private static async Task<List<WebhookSubscription>> ListOursAsync(CalendlyCalls calls, long userId, string organization,
        string userUri, string callbackUrl, CancellationToken ct)
    {
        var ours = new List<WebhookSubscription>();
        await foreach (var s in CalendlyClient.AllPagesAsync(pageToken =>
                           calls.RunAsync(userId, (c, accessToken) => c.ListWebhookSubscriptionsAsync(accessToken, organization, userUri, pageToken, ct), ct),
                           maxItems: 1000))
            if (s.CallbackUrl == callbackUrl)
                ours.Add(s);
        return ours;
    }

    private static async Task<WebhookSubscription> CreateAsync(CalendlyCalls calls, long userId, string organization, string userUri,
        string callbackUrl, CancellationToken ct)
    {
        try
        {
            return await calls.RunAsync(userId, (c, accessToken) => c.CreateWebhookSubscriptionAsync(accessToken,
                new WebhookSubscriptionRequest(callbackUrl, Events, organization, "user", userUri, SigningKey: null), ct), ct);
        }
        catch (CalendlyException e) when (e.Failure == CalendlyFailure.Conflict)
        {
            // "Already Exists": another instance created it a moment ago (or a retried POST did). Use that one.
            var existing = (await ListOursAsync(calls, userId, organization, userUri, callbackUrl, ct)).FirstOrDefault(IsUsable);
            if (existing is null) throw;
            return existing;
        }
    }

    private static async Task DeleteQuietlyAsync(CalendlyCalls calls, long userId, string subscriptionUri, CancellationToken ct)
    {
        try
        {
            await calls.RunAsync(userId, async (c, accessToken) =>
            {
                await c.DeleteWebhookSubscriptionAsync(accessToken, CalendlyClient.UuidOf(subscriptionUri), ct);
                return true;
            }, ct);
        }
        catch (CalendlyException e) when (e.Failure == CalendlyFailure.NotFound)
        {
            // Already gone: what deleting wanted.
        }
    }
}
