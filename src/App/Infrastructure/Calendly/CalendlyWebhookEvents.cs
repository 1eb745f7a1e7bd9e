using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace App.Infrastructure.Calendly;

/// <summary>
/// The one way an event from Calendly enters calendly_webhook_events: a signed delivery (Features/Webhooks), or one
/// made up from the API when a delivery was missed (back-fill after an outage, polling for plans without webhooks).
/// Both get the same identity, so whichever arrives second is recognised and not processed twice.
/// </summary>
public static class CalendlyWebhookEvents
{
    /// <summary>
    /// Calendly deliveries carry no id, and a redelivery repeats the same body. What names one occurrence: the event's
    /// name, the resource it is about (the invitee's URI, unique per booking, per reschedule and per no-show), and the
    /// envelope's created_at (when the change happened, not when it was delivered). Two different changes to one
    /// invitee have different names or times; the same change delivered twice has all three equal.
    /// </summary>
    public static string DedupeKey(string eventName, string resourceUri, string createdAt) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{eventName}\n{resourceUri}\n{createdAt}")));

    /// <summary>A delivery body as Calendly would send it for an invitee change seen through the API.</summary>
    public static string Synthesize(string eventName, Invitee invitee, ScheduledEvent scheduled, DateTimeOffset createdAt)
    {
        var payload = JsonSerializer.SerializeToNode(invitee, CalendlyJson.Default.Invitee)!.AsObject();
        payload["scheduled_event"] = JsonSerializer.SerializeToNode(scheduled, CalendlyJson.Default.ScheduledEvent);
        var envelope = new JsonObject
        {
            ["event"] = eventName,
            ["created_at"] = IsoTime.Microseconds(createdAt),
            ["created_by"] = null,
            ["payload"] = payload,
        };
        return envelope.ToJsonString();
    }

    /// <summary>Stores an event unless its identity is already stored; true when it is new.</summary>
    public static async Task<bool> StoreAsync(NpgsqlConnection connection, string eventType, string payloadJson, string dedupeKey,
        string? calendlyUserUri, string? error, CancellationToken ct)
    {
        const string sql = """
            insert into calendly_webhook_events (event_type, payload, dedupe_key, calendly_user_uri, error, processed_at)
            values (@EventType, @Payload::jsonb, @DedupeKey, @CalendlyUserUri, @Error, case when @Error is null then null else now() end)
            on conflict (dedupe_key) do nothing
            """;
        return await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            EventType = eventType,
            Payload = payloadJson,
            DedupeKey = dedupeKey,
            CalendlyUserUri = calendlyUserUri,
            Error = error,
        }, cancellationToken: ct)) == 1;
    }
}
