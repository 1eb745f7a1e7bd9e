using System.Globalization;
using System.Text.Json;
using Calendly.Simulator.OAuth;
using Calendly.Simulator.Traffic;

namespace Calendly.Simulator;

/// <summary>Everything a run of the simulator can be told. Program reads it from environment variables; tests build it directly.</summary>
public sealed record SimulatorSettings
{
    public const int DefaultPort = 5081;

    /// <summary>Port to listen on (all loopback when 0: a free port is picked). Null: ASPNETCORE_URLS decides.</summary>
    public int? Port { get; init; } = DefaultPort;

    /// <summary>Base URL of every resource URI and page link. Null: the address actually bound, with the host shown as localhost.</summary>
    public string? PublicBaseUrl { get; init; }

    public int Seed { get; init; } = 42;
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromSeconds(7200);
    public TimeSpan AuthorizationCodeLifetime { get; init; } = TimeSpan.FromMinutes(10);
    public IReadOnlyList<OAuthClient> OAuthClients { get; init; } = [OAuthClient.Development()];

    /// <summary>The OAuth application's webhook signing key, used for subscriptions created without their own.</summary>
    public string WebhookSigningKey { get; init; } = OAuthClient.DevelopmentWebhookSigningKey;

    /// <summary>Calendly widened the /event_type_available_times window from 7 to 31 days on 2026-07-09; busy times stay at 7.</summary>
    public int AvailableTimesMaxDays { get; init; } = 31;

    /// <summary>The start_time_increment of event types made without one (seeded, /_sim/users, /_sim/event_types).</summary>
    public int SlotStepMinutes { get; init; } = 30;

    public BookingLimit BookingLimitFree { get; init; } = BookingLimit.Free;
    public BookingLimit BookingLimitTrial { get; init; } = BookingLimit.Trial;
    public BookingLimit BookingLimitPaid { get; init; } = BookingLimit.Paid;
    public BookingLimit BookingLimitEnterprise { get; init; } = BookingLimit.Enterprise;

    public int PaidRequestsPerMinute { get; init; } = 500;
    public int FreeRequestsPerMinute { get; init; } = 50;
    public int TokenRequestsPerMinute { get; init; } = 8;

    /// <summary>One limit over all users together, for benchmarks; null = none.</summary>
    public int? GlobalRequestsPerMinute { get; init; }

    /// <summary>One limit on token requests over all users together, for benchmarks of token refresh; null = none.</summary>
    public int? GlobalTokenRequestsPerMinute { get; init; }

    public TimeSpan WebhookRetryBaseDelay { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan WebhookRetryMaxDelay { get; init; } = TimeSpan.FromHours(1);
    public TimeSpan WebhookFailureWindow { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Calendly's webhook timeouts: 10 s to connect, then 15 s to read the answer.</summary>
    public TimeSpan WebhookConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan WebhookReadTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Reads SIM_* variables plus the app's own CALENDLY_CLIENT_ID / CALENDLY_CLIENT_SECRET / CALENDLY_WEBHOOK_SIGNING_KEY /
    /// PUBLIC_BASE_URL / PORT, so the app and the simulator agree on the OAuth client without extra setup.
    /// </summary>
    public static SimulatorSettings FromConfiguration(IConfiguration config)
    {
        var defaults = new SimulatorSettings();
        var signingKey = config["CALENDLY_WEBHOOK_SIGNING_KEY"] is { Length: > 0 } key ? key : defaults.WebhookSigningKey;
        var appClient = OAuthClient.Development(config["CALENDLY_CLIENT_ID"], config["CALENDLY_CLIENT_SECRET"],
            AppCallbackUrl(config), signingKey);
        return new SimulatorSettings
        {
            Port = Int(config, "SIM_PORT") ?? (config["ASPNETCORE_URLS"] is { Length: > 0 } ? null : DefaultPort),
            PublicBaseUrl = config["SIM_PUBLIC_BASE_URL"] is { Length: > 0 } url ? url.TrimEnd('/') : null,
            Seed = Int(config, "SIM_SEED") ?? defaults.Seed,
            TokenLifetime = Seconds(config, "SIM_TOKEN_TTL_SECONDS") ?? defaults.TokenLifetime,
            OAuthClients = [appClient, .. ExtraClients(config["SIM_OAUTH_CLIENTS"], signingKey)],
            WebhookSigningKey = signingKey,
            AvailableTimesMaxDays = Int(config, "SIM_AVAILABLE_TIMES_MAX_DAYS") ?? defaults.AvailableTimesMaxDays,
            SlotStepMinutes = Int(config, "SIM_SLOT_STEP_MINUTES") ?? defaults.SlotStepMinutes,
            BookingLimitFree = Limit(config, "SIM_BOOKING_LIMIT_FREE") ?? defaults.BookingLimitFree,
            BookingLimitTrial = Limit(config, "SIM_BOOKING_LIMIT_TRIAL") ?? defaults.BookingLimitTrial,
            BookingLimitPaid = Limit(config, "SIM_BOOKING_LIMIT_PAID") ?? defaults.BookingLimitPaid,
            BookingLimitEnterprise = Limit(config, "SIM_BOOKING_LIMIT_ENTERPRISE") ?? defaults.BookingLimitEnterprise,
            PaidRequestsPerMinute = Int(config, "SIM_RATE_LIMIT_PAID_PER_MINUTE") ?? defaults.PaidRequestsPerMinute,
            FreeRequestsPerMinute = Int(config, "SIM_RATE_LIMIT_FREE_PER_MINUTE") ?? defaults.FreeRequestsPerMinute,
            TokenRequestsPerMinute = Int(config, "SIM_TOKEN_REQUESTS_PER_MINUTE") ?? defaults.TokenRequestsPerMinute,
            GlobalRequestsPerMinute = Int(config, "SIM_GLOBAL_RATE_LIMIT_PER_MINUTE"),
            GlobalTokenRequestsPerMinute = Int(config, "SIM_GLOBAL_TOKEN_REQUESTS_PER_MINUTE"),
            WebhookRetryBaseDelay = Seconds(config, "SIM_WEBHOOK_RETRY_BASE_SECONDS") ?? defaults.WebhookRetryBaseDelay,
            WebhookRetryMaxDelay = Seconds(config, "SIM_WEBHOOK_RETRY_MAX_SECONDS") ?? defaults.WebhookRetryMaxDelay,
            WebhookFailureWindow = Seconds(config, "SIM_WEBHOOK_FAILURE_WINDOW_SECONDS") ?? defaults.WebhookFailureWindow,
            WebhookConnectTimeout = Seconds(config, "SIM_WEBHOOK_CONNECT_TIMEOUT_SECONDS") ?? defaults.WebhookConnectTimeout,
            WebhookReadTimeout = Seconds(config, "SIM_WEBHOOK_READ_TIMEOUT_SECONDS") ?? defaults.WebhookReadTimeout,
        };
    }

    /// <summary>The app's OAuth callback, built from the app's own variables exactly as the app builds it.</summary>
    private static string AppCallbackUrl(IConfiguration config)
    {
        var appBase = config["PUBLIC_BASE_URL"] is { Length: > 0 } url ? url.TrimEnd('/') : $"http://localhost:{config["PORT"] ?? "5080"}";
        return $"{appBase}/api/calendly/oauth/callback";
    }

    private static IEnumerable<OAuthClient> ExtraClients(string? json, string defaultSigningKey)
    {
        if (string.IsNullOrWhiteSpace(json)) return [];
        var clients = JsonSerializer.Deserialize<List<OAuthClient>>(json, OAuthClient.ConfigJson)
            ?? throw new InvalidOperationException("SIM_OAUTH_CLIENTS must be a JSON array of clients.");
        return clients.Select(c => c.Validated() with { WebhookSigningKey = c.WebhookSigningKey ?? defaultSigningKey });
    }

    private static int? Int(IConfiguration config, string name) =>
        config[name] is { Length: > 0 } text
            ? int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw new InvalidOperationException($"{name} must be an integer, not '{text}'.")
            : null;

    private static BookingLimit? Limit(IConfiguration config, string name) =>
        config[name] is { Length: > 0 } text
            ? BookingLimit.Parse(text) ?? throw new InvalidOperationException(
                $"{name} must be limits such as \"10/min,50/h,100/day\" (each unit at most once) or \"none\", not '{text}'.")
            : null;

    private static TimeSpan? Seconds(IConfiguration config, string name) =>
        config[name] is { Length: > 0 } text
            ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0
                ? TimeSpan.FromSeconds(value)
                : throw new InvalidOperationException($"{name} must be a number of seconds, not '{text}'.")
            : null;
}
