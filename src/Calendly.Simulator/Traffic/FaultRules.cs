namespace Calendly.Simulator.Traffic;

/// <summary>
/// What POST /_sim/faults switches on. With User set it applies to that simulated user's requests only (so parallel
/// tests keep out of each other's way); with Endpoints set, only to those route templates ("/event_types" or
/// "GET /event_types"). TokenTtlSeconds applies to tokens issued to the user, whatever the endpoint.
/// RefuseWebhookSubscriptions makes POST /webhook_subscriptions answer the plan refusal whatever the events (to test polling instead).
/// </summary>
public sealed record FaultRule(
    int? LatencyMs = null,
    double? ErrorRate = null,
    bool Outage = false,
    bool MalformedJson = false,
    int? SlowBodyMs = null,
    int? RateLimitPerMinute = null,
    int? TokenTtlSeconds = null,
    bool RefuseWebhookSubscriptions = false,
    IReadOnlyList<string>? Endpoints = null,
    string? User = null)
{
    public bool Covers(string method, string route) =>
        Endpoints is null || Endpoints.Any(e => e == route || e == $"{method} {route}");
}

/// <summary>The fault rules in force: at most one for everyone and one per user; a user's own rule wins over the global one.</summary>
public sealed class FaultRules
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, FaultRule> _rules = [];

    public IReadOnlyList<FaultRule> All
    {
        get { lock (_gate) return [.. _rules.Values]; }
    }

    /// <summary>Keyed by the user's uuid, or "" for everyone.</summary>
    public void Set(string userKey, FaultRule rule)
    {
        lock (_gate) _rules[userKey] = rule;
    }

    public void Clear(string? userKey = null)
    {
        lock (_gate)
        {
            if (userKey is null) _rules.Clear();
            else _rules.Remove(userKey);
        }
    }

    public FaultRule? For(string? userUuid, string method, string route)
    {
        lock (_gate)
        {
            var own = userUuid is not null ? _rules.GetValueOrDefault(userUuid) : null;
            var rule = own ?? _rules.GetValueOrDefault("");
            return rule is not null && rule.Covers(method, route) ? rule : null;
        }
    }

    public TimeSpan? TokenLifetimeFor(string userUuid)
    {
        lock (_gate)
        {
            var seconds = (_rules.GetValueOrDefault(userUuid) ?? _rules.GetValueOrDefault(""))?.TokenTtlSeconds;
            return seconds is null ? null : TimeSpan.FromSeconds(seconds.Value);
        }
    }
}
