using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using App.Infrastructure.Security;
using App.Infrastructure.Telemetry;

namespace App.Features.Webhooks;

/// <summary>
/// Calendly's webhook deliveries: verified by their signature on the raw body (the route needs no sign-in), stored
/// once however often Calendly delivers them, and acknowledged only after they are committed. A forged delivery is
/// refused and leaves nothing but a count; a signed one that is not a valid event is kept with its error and
/// acknowledged, so Calendly stops retrying. <see cref="WebhookProcessingWorker"/> applies what was stored.
/// </summary>
public sealed class WebhooksModule : ICarterModule
{
    public const string SignatureHeader = "Calendly-Webhook-Signature";

    public sealed record Received(bool Stored, bool Duplicate);

    public sealed record StoredEvent(long Id, string EventType, string State, int Attempts, string? Error, DateTimeOffset ReceivedAt,
        DateTimeOffset? ProcessedAt, DateTimeOffset? ParkedAt);

    public sealed record Replayed(long Id);

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapPost("/api/calendly/webhooks", Receive)
            .AllowAnonymous()
            .ProducesErrors(StatusCodes.Status401Unauthorized, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status429TooManyRequests,
                StatusCodes.Status503ServiceUnavailable)
            .WithTags("Webhooks")
            .WithSummary("Calendly's webhook deliveries (authenticated by their Calendly-Webhook-Signature).");

        var operators = app.MapGroup("/api/admin/webhooks").RequireAuthorization().WithTags("Webhooks");
        operators.MapGet("", ListRecent).ProducesErrors(StatusCodes.Status403Forbidden).WithSummary("Admins: the most recent webhook events, parked ones first, with their state and error.");
        operators.MapPost("/{id:long}/replay", Replay).ProducesErrors(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound).WithSummary("Admins: process an event again (a parked one, or one that failed).");
    }

    public static async Task<Results<Ok<Envelope<Received>>, ApiErrorResult>> Receive(HttpRequest request, CalendlyOptions calendly,
        WebhookOptions options, WebhookBatchWriter writer, RefusedDeliveries refusals, TimeProvider clock, CalendlyMetrics metrics,
        ILogger<WebhooksModule> logger, CancellationToken ct)
    {
        var body = await ReadBodyAsync(request, options.MaxBodyBytes, ct);
        if (body is null)
        {
            metrics.WebhookDelivery("refused", "too_large");
            return new ApiErrorResult(StatusCodes.Status413PayloadTooLarge, "payload_too_large",
                $"A webhook delivery may be at most {options.MaxBodyBytes} bytes.");
        }

        var verdict = WebhookSignature.Verify(request.Headers[SignatureHeader].ToString(), body, calendly.WebhookSigningKey,
            clock.GetUtcNow(), options.Tolerance);
        if (verdict is not null)
        {
            metrics.WebhookDelivery("refused", verdict.Reason);
            // Only refusals spend the caller's budget: a forged flood is cut off, genuine deliveries never are.
            using var refusal = refusals.Spend(request.HttpContext);
            if (!refusal.IsAcquired)
                return new ApiErrorResult(StatusCodes.Status429TooManyRequests, "rate_limited", RateLimits.TooMany(request.HttpContext, refusal));
            logger.LogWarning("Refused a webhook delivery: {Reason}", verdict.Message);
            return new ApiErrorResult(StatusCodes.Status401Unauthorized, "invalid_signature", verdict.Message);
        }

        var (eventName, resourceUri, createdAt, calendlyUserUri, problem) = Describe(body);
        var key = problem is null
            ? CalendlyWebhookEvents.DedupeKey(eventName!, resourceUri!, createdAt!)
            : Convert.ToHexStringLower(SHA256.HashData(body));
        bool stored;
        try
        {
            // Not cancellable once queued (the commit may still land); only the wait for it ends.
            stored = await writer.StoreAsync(new CalendlyWebhookEvents.NewEvent(eventName ?? "invalid",
                problem is null ? Encoding.UTF8.GetString(body) : InvalidPayload(body), key, calendlyUserUri, problem))
                .WaitAsync(options.StoreTimeout, clock, ct);
        }
        catch (Exception e) when (e is NpgsqlException or WriterStoppedException or TimeoutException)
        {
            // Not acknowledged, so Calendly delivers it again.
            metrics.WebhookDelivery("unavailable");
            return new ApiErrorResult(StatusCodes.Status503ServiceUnavailable, "unavailable", "The delivery could not be stored; deliver it again later.");
        }
        metrics.WebhookDelivery(problem is not null ? "invalid" : stored ? "stored" : "duplicate");
        if (problem is not null) logger.LogWarning("Kept a signed webhook delivery that is not a valid Calendly event: {Problem}", problem);
        return TypedResults.Ok(Envelope.Of(new Received(stored, !stored)));
    }

    private const string RecentSql = """
        select id, event_type,
               case when parked_at is not null then 'parked' when processed_at is not null then 'processed'
                    when attempts > 0 then 'retrying' else 'waiting' end as state,
               attempts, error, received_at, processed_at, parked_at
        from calendly_webhook_events
        order by parked_at desc nulls last, id desc
        limit 100
        """;

    public static async Task<Results<Ok<Envelope<IReadOnlyList<StoredEvent>>>, ApiErrorResult>> ListRecent(CurrentUser user,
        NpgsqlDataSource db, CancellationToken ct)
    {
        if (!user.IsAdmin) return ApiResults.Forbidden("Only admins see webhook events.");
        return TypedResults.Ok(Envelope.Of(await QueryRecentAsync(db, ct)));
    }

    public static async Task<IReadOnlyList<StoredEvent>> QueryRecentAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<StoredEvent>(new CommandDefinition(RecentSql, cancellationToken: ct))).AsList();
    }

    public static async Task<Results<Ok<Envelope<Replayed>>, ApiErrorResult>> Replay(long id, CurrentUser user, NpgsqlDataSource db,
        CancellationToken ct)
    {
        if (!user.IsAdmin) return ApiResults.Forbidden("Only admins replay webhook events.");
        return await ReplayAsync(id, db, ct)
            ? TypedResults.Ok(Envelope.Of(new Replayed(id)))
            : ApiResults.NotFound(NothingToReplay);
    }

    internal const string NothingToReplay = "No failed or parked webhook event has that id.";

    /// <summary>Makes a parked or failed event due again; false when there is no such event.</summary>
    internal static async Task<bool> ReplayAsync(long id, NpgsqlDataSource db, CancellationToken ct)
    {
        const string sql = """
            update calendly_webhook_events set parked_at = null, processed_at = null, attempts = 0, next_attempt_at = now(), error = null
            where id = @Id and (parked_at is not null or error is not null)
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(sql, new { Id = id }, cancellationToken: ct)) == 1;
    }

    /// <summary>The raw body, exactly as signed; null when it is longer than allowed.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int maxBytes, CancellationToken ct)
    {
        if (request.ContentLength > maxBytes) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>What identifies a delivery, or why it is not a Calendly event.</summary>
    private static (string? Event, string? Uri, string? CreatedAt, string? CalendlyUserUri, string? Problem) Describe(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, null, null, null, "The body is not a JSON object.");
            var eventName = root.TryGetProperty("event", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            var createdAt = root.TryGetProperty("created_at", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            var payload = root.TryGetProperty("payload", out var p) && p.ValueKind == JsonValueKind.Object ? p : (JsonElement?)null;
            var uri = payload is { } pl && pl.TryGetProperty("uri", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null;
            if (eventName is null || createdAt is null || payload is null || uri is null)
                return (eventName, null, null, null, "The event lacks one of event, created_at, payload or payload.uri.");
            var createdBy = root.TryGetProperty("created_by", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString() : null;
            return (eventName, uri, createdAt, createdBy, null);
        }
        catch (JsonException)
        {
            return (null, null, null, null, "The body is not JSON.");
        }
    }

    // An invalid body may not be JSON at all: it is kept as a JSON string so that the jsonb column can hold it.
    private static string InvalidPayload(byte[] body) => JsonSerializer.Serialize(new { raw = Encoding.UTF8.GetString(body) });
}

/// <summary>
/// Calendly-Webhook-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256(signing key, t + "." + raw body)&gt;, checked
/// in constant time over the exact bytes received (re-serialized JSON would not match), within a time tolerance so an
/// old delivery cannot be replayed.
/// </summary>
public static class WebhookSignature
{
    /// <summary>Why a delivery is refused: <paramref name="Reason"/> for the metrics, <paramref name="Message"/> for the sender.</summary>
    public sealed record Refusal(string Reason, string Message);

    private static readonly Refusal Missing = new("signature_missing", "The Calendly-Webhook-Signature header is missing.");
    private static readonly Refusal Malformed = new("signature_malformed", "The Calendly-Webhook-Signature header is malformed.");
    private static readonly Refusal Expired = new("timestamp_outside_window", "The signature's timestamp is outside the accepted window.");
    private static readonly Refusal Mismatch = new("signature_mismatch", "The signature does not match.");

    /// <summary>Null when the signature is good; otherwise why it is not.</summary>
    public static Refusal? Verify(string header, byte[] body, string signingKey, DateTimeOffset now, TimeSpan tolerance)
    {
        if (string.IsNullOrWhiteSpace(header)) return Missing;
        string? t = null, v1 = null;
        foreach (var part in header.Split(','))
        {
            var pair = part.Split('=', 2);
            if (pair.Length != 2) return Malformed;
            switch (pair[0].Trim())
            {
                case "t": t = pair[1].Trim(); break;
                case "v1": v1 = pair[1].Trim(); break;
            }
        }
        if (t is null || v1 is null || !long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            return Malformed;
        if ((now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > tolerance)
            return Expired;

        byte[] given;
        try
        {
            given = Convert.FromHexString(v1);
        }
        catch (FormatException)
        {
            return Malformed;
        }
        var message = new byte[t.Length + 1 + body.Length];
        Encoding.ASCII.GetBytes(t + ".", message);
        body.CopyTo(message, t.Length + 1);
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingKey), message);
        return CryptographicOperations.FixedTimeEquals(expected, given) ? null : Mismatch;
    }
}
