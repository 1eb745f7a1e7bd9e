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

    /// <summary>An event to store: its body, identity, the Calendly user it names, and an error when it cannot be applied.</summary>
    public sealed record NewEvent(string EventType, string PayloadJson, string DedupeKey, string? CalendlyUserUri, string? Error);

    // One row per identity: a second event with a stored identity is a duplicate. One that cannot be applied (an error)
    // is stored as processed, to be seen, not retried.
    private const string InsertSql = """
        insert into calendly_webhook_events (event_type, payload, dedupe_key, calendly_user_uri, error, processed_at)
        select e.event_type, e.payload::jsonb, e.dedupe_key, e.calendly_user_uri, e.error,
               case when e.error is null then null else now() end
        from unnest(@EventTypes, @Payloads, @DedupeKeys, @CalendlyUserUris, @Errors)
             as e(event_type, payload, dedupe_key, calendly_user_uri, error)
        on conflict (dedupe_key) do nothing
        returning dedupe_key
        """;

    /// <summary>Stores the events whose identity is not stored yet, in one statement; returns the identities that are new.</summary>
    public static async Task<HashSet<string>> StoreAllAsync(NpgsqlConnection connection, IReadOnlyCollection<NewEvent> events, CancellationToken ct) =>
        (await connection.QueryAsync<string>(new CommandDefinition(InsertSql, new
        {
            EventTypes = events.Select(e => e.EventType).ToArray(),
            Payloads = events.Select(e => e.PayloadJson).ToArray(),
            DedupeKeys = events.Select(e => e.DedupeKey).ToArray(),
            CalendlyUserUris = events.Select(e => e.CalendlyUserUri).ToArray(),
            Errors = events.Select(e => e.Error).ToArray(),
        }, cancellationToken: ct))).ToHashSet();

    /// <summary>Stores an event unless its identity is already stored; true when it is new.</summary>
    public static async Task<bool> StoreAsync(NpgsqlConnection connection, NewEvent newEvent, CancellationToken ct) =>
        (await StoreAllAsync(connection, [newEvent], ct)).Count == 1;
}
