namespace App.Infrastructure.Configuration;

/// <summary>
/// Infrastructure's settings (hosting, database, Calendly client, auth, security), read once at startup from flat
/// environment variable names (DATABASE_URL, USE_REAL_CALENDLY, …) onto typed records. Each record is registered as a
/// singleton, so code takes <c>CalendlyOptions</c> as a parameter and never sees IConfiguration. A feature's own
/// settings live in its folder (<see cref="IFlatSettings"/>).
/// </summary>
/// <param name="Problems">What was wrong (those settings hold their defaults meanwhile): <see cref="SettingsCheck"/>
/// reports them together with every feature's before the app acts on any.</param>
public sealed record AppSettings(
    HostingOptions Hosting,
    DatabaseOptions Database,
    CalendlyOptions Calendly,
    AuthOptions Auth,
    SecurityOptions Security,
    CalendlyResilienceOptions Resilience,
    TokenLifecycleOptions Tokens,
    IReadOnlyList<string> Problems)
{
    public static AppSettings Load(IConfiguration config, IHostEnvironment environment)
    {
        var reader = new SettingsReader(config);

        var port = reader.Port("PORT", 5080);
        var publicBaseUrl = reader.BaseUrl("PUBLIC_BASE_URL") ?? new Uri($"http://localhost:{port}");
        var hosting = new HostingOptions(port, publicBaseUrl);

        var database = new DatabaseOptions(reader.ConnectionString("DATABASE_URL"),
            TimeSpan.FromSeconds(reader.Number("DATABASE_COMMAND_TIMEOUT_SECONDS", 1, 1, 600)));

        var useReal = reader.Bool("USE_REAL_CALENDLY", false);
        // In simulated mode the embedded simulator accepts these development credentials.
        var calendly = new CalendlyOptions(
            UseRealCalendly: useReal,
            ClientId: reader.Secret("CALENDLY_CLIENT_ID", useReal, CalendlyOptions.DevClientId),
            ClientSecret: reader.Secret("CALENDLY_CLIENT_SECRET", useReal, CalendlyOptions.DevClientSecret),
            WebhookSigningKey: reader.Secret("CALENDLY_WEBHOOK_SIGNING_KEY", useReal, CalendlyOptions.DevWebhookSigningKey),
            ApiBaseUrl: reader.BaseUrl("CALENDLY_API_BASE_URL")
                ?? new Uri(useReal ? "https://api.calendly.com" : CalendlyOptions.DefaultSimulatorUrl),
            AuthBaseUrl: reader.BaseUrl("CALENDLY_AUTH_BASE_URL")
                ?? new Uri(useReal ? "https://auth.calendly.com" : CalendlyOptions.DefaultSimulatorUrl));

        var authority = reader.AbsoluteUrl("AUTH_AUTHORITY");
        if (authority is { Scheme: "http", IsLoopback: false })
            reader.Problem("AUTH_AUTHORITY", "must be an https URL (plain http is accepted only for a loopback issuer).");
        var allowDevSignIn = reader.Bool("ALLOW_DEV_SIGN_IN", false);
        var signInUrl = reader.AbsoluteUrl("AUTH_SIGN_IN_URL");
        if (authority is not null && signInUrl is null)
            reader.Problem("AUTH_SIGN_IN_URL", "is required with AUTH_AUTHORITY: pages send signed-out visitors to your identity provider's hosted sign-in.");
        if (authority is null && environment.IsProduction() && !allowDevSignIn)
            reader.Problem("AUTH_AUTHORITY", "is not set, so the app would use development sign-in, which is refused when ASPNETCORE_ENVIRONMENT=Production. Set AUTH_AUTHORITY (and AUTH_SIGN_IN_URL) or, for a demo, ALLOW_DEV_SIGN_IN=true.");
        var auth = new AuthOptions(
            Authority: authority,
            Audience: reader.Text("AUTH_AUDIENCE"),
            AuthorizedParties: reader.List("AUTH_AUTHORIZED_PARTIES") is { Count: > 0 } parties
                ? parties
                : [publicBaseUrl.GetLeftPart(UriPartial.Authority)],
            EmailClaim: reader.Text("AUTH_EMAIL_CLAIM") ?? "email",
            RoleClaim: reader.Text("AUTH_ROLE_CLAIM") ?? "role",
            TimeZoneClaim: reader.Text("AUTH_TIMEZONE_CLAIM") ?? "zoneinfo",
            NameClaim: reader.Text("AUTH_NAME_CLAIM") ?? "name",
            SignInUrl: signInUrl);

        // Real tokens need a real key-encryption key; simulated ones may use the published development key.
        var security = new SecurityOptions(reader.Key32("DATA_PROTECTION_KEK",
            required: useReal || environment.IsProduction(), SecurityOptions.DevelopmentKeyEncryptionKey));

        var resilience = new CalendlyResilienceOptions(
            Deadline: TimeSpan.FromSeconds(reader.Number("CALENDLY_TIMEOUT_SECONDS", 30, 1, 600)),
            AttemptTimeout: TimeSpan.FromSeconds(reader.Number("CALENDLY_ATTEMPT_TIMEOUT_SECONDS", 10, 1, 600)),
            MaxRetries: (int)reader.Number("CALENDLY_MAX_RETRIES", 3, 0, 10),
            RetryBaseDelay: TimeSpan.FromMilliseconds(reader.Number("CALENDLY_RETRY_BASE_DELAY_MS", 500, 0, 60_000)),
            MaxRetryDelay: TimeSpan.FromSeconds(reader.Number("CALENDLY_MAX_RETRY_DELAY_SECONDS", 20, 0, 600)),
            BreakerFailureRatio: reader.Number("CALENDLY_BREAKER_FAILURE_RATIO", 0.5, 0.01, 1),
            BreakerMinimumThroughput: (int)reader.Number("CALENDLY_BREAKER_MIN_THROUGHPUT", 10, 2, 10_000),
            BreakerSamplingDuration: TimeSpan.FromSeconds(reader.Number("CALENDLY_BREAKER_SAMPLING_SECONDS", 30, 1, 3600)),
            BreakerBreakDuration: TimeSpan.FromSeconds(reader.Number("CALENDLY_BREAKER_BREAK_SECONDS", 15, 1, 3600)),
            UserRequestsPerMinute: (int)reader.Number("CALENDLY_USER_REQUESTS_PER_MINUTE", 450, 1, 100_000),
            UserTokenRequestsPerMinute: (int)reader.Number("CALENDLY_USER_TOKEN_REQUESTS_PER_MINUTE", 8, 1, 1000),
            TokenRequestsPerMinute: (int)reader.Number("CALENDLY_TOKEN_REQUESTS_PER_MINUTE", 0, 0, 1_000_000));

        var tokens = new TokenLifecycleOptions(
            RefreshSkew: TimeSpan.FromSeconds(reader.Number("CALENDLY_REFRESH_SKEW_SECONDS", 120, 0, 3600)),
            MaxRefreshFailures: (int)reader.Number("CALENDLY_REFRESH_MAX_FAILURES", 5, 1, 100),
            RefreshBackoffBase: TimeSpan.FromSeconds(reader.Number("CALENDLY_REFRESH_BACKOFF_SECONDS", 60, 0, 86_400)),
            RefreshBackoffMax: TimeSpan.FromSeconds(reader.Number("CALENDLY_REFRESH_BACKOFF_MAX_SECONDS", 3600, 0, 86_400)));

        return new AppSettings(hosting, database, calendly, auth, security, resilience, tokens, reader.Problems);
    }
}

public sealed record HostingOptions(int Port, Uri PublicBaseUrl);

/// <summary>
/// PostgreSQL. <see cref="PooledConnectionString"/> is what the app's requests and jobs use: a database that hangs
/// (frozen, a network that drops everything) fails a command, and a connect or a wait for a pooled connection, after
/// <paramref name="CommandTimeout"/>, instead of Npgsql's 30 s and 15 s. A command that gets no answer costs that
/// three times over (Npgsql first asks the server to cancel it, over a new connection, and waits for it to hang up):
/// 3 s with the default 1 s, so a route answers 503 database_unavailable within 5. DATABASE_URL's own Command Timeout, Timeout and Cancellation
/// Timeout win. Migrations use <see cref="ConnectionString"/> as given: they may wait for another instance's.
/// </summary>
public sealed record DatabaseOptions(string ConnectionString, TimeSpan CommandTimeout)
{
    public string PooledConnectionString
    {
        get
        {
            // The keys as written (Npgsql's builder would report every key it knows as present).
            var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = ConnectionString }.Keys
                .Cast<string>().Select(key => key.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant()).ToHashSet();
            var pooled = new NpgsqlConnectionStringBuilder(ConnectionString);
            var seconds = (int)Math.Ceiling(CommandTimeout.TotalSeconds);
            if (!given.Contains("commandtimeout")) pooled.CommandTimeout = seconds;
            if (!given.Contains("timeout")) pooled.Timeout = seconds;
            // Once the server was asked to cancel, the connection is broken at once rather than waited on once more.
            if (!given.Contains("cancellationtimeout")) pooled.CancellationTimeout = -1;
            // Statements run again and again (a webhook batch's upserts, sign-in look-ups) are prepared once a connection
            // (Max Auto Prepare=0 in DATABASE_URL behind a pooler that cannot keep prepared statements).
            if (!given.Contains("maxautoprepare")) pooled.MaxAutoPrepare = 64;
            return pooled.ConnectionString;
        }
    }
}

public sealed record CalendlyOptions(
    bool UseRealCalendly,
    string ClientId,
    string ClientSecret,
    string WebhookSigningKey,
    Uri ApiBaseUrl,
    Uri AuthBaseUrl)
{
    public const string DevClientId = "calendly-slices-dev";
    public const string DevClientSecret = "calendly-slices-dev-secret";
    public const string DevWebhookSigningKey = "calendly-slices-dev-webhook-signing-key";
    public const string DefaultSimulatorUrl = "http://localhost:5081";

    public string Mode => UseRealCalendly ? "live" : "simulated";

    /// <summary>The origin of the booking pages the app frames: Calendly's, or the simulator's (which serves its own).</summary>
    public string WidgetOrigin => UseRealCalendly ? "https://calendly.com" : ApiBaseUrl.GetLeftPart(UriPartial.Authority);
}

public sealed record AuthOptions(
    Uri? Authority,
    string? Audience,
    IReadOnlyList<string> AuthorizedParties,
    string EmailClaim,
    string RoleClaim,
    string TimeZoneClaim,
    string NameClaim,
    Uri? SignInUrl)
{
    /// <summary>Without an OIDC issuer the app signs people in itself (development sign-in).</summary>
    public bool UsesDevSignIn => Authority is null;
}

/// <summary>
/// Limits and timings for calls to Calendly. The per-user budgets stay under Calendly's own per-user limits
/// (500 requests a minute on paid plans; 8 token requests a minute) so that Calendly rarely has to answer 429.
/// TokenRequestsPerMinute (0 = none) paces this instance's token requests over all users, for an upstream (or a
/// simulator run) that limits them globally.
/// </summary>
public sealed record CalendlyResilienceOptions(
    TimeSpan Deadline,
    TimeSpan AttemptTimeout,
    int MaxRetries,
    TimeSpan RetryBaseDelay,
    TimeSpan MaxRetryDelay,
    double BreakerFailureRatio,
    int BreakerMinimumThroughput,
    TimeSpan BreakerSamplingDuration,
    TimeSpan BreakerBreakDuration,
    int UserRequestsPerMinute,
    int UserTokenRequestsPerMinute,
    int TokenRequestsPerMinute);

/// <summary>
/// The token lifecycle, as the Calendly client runs it: how early an access token is refreshed and how failed refreshes
/// back off. (The background job that refreshes tokens ahead of use has its own settings, in its feature.)
/// </summary>
public sealed record TokenLifecycleOptions(
    TimeSpan RefreshSkew,
    int MaxRefreshFailures,
    TimeSpan RefreshBackoffBase,
    TimeSpan RefreshBackoffMax);

public sealed record SecurityOptions(byte[] KeyEncryptionKey)
{
    /// <summary>Public knowledge, so it protects nothing: accepted only in simulated, non-production runs.</summary>
    public static readonly byte[] DevelopmentKeyEncryptionKey =
        System.Security.Cryptography.SHA256.HashData("calendly-slices development key-encryption key"u8);
}

/// <summary>
/// Accepts both the URL form that Fly and Supabase hand out (postgres://user:pass@host:port/db?sslmode=require)
/// and a plain Npgsql connection string, and returns the latter.
/// </summary>
public static class PostgresConnectionString
{
    public static string Parse(string value)
    {
        if (value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            return FromUrl(value);

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(value);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"not a postgres:// URL and not a valid Npgsql connection string ({e.Message}).");
        }
        if (string.IsNullOrEmpty(builder.Host))
            throw new FormatException("the connection string names no Host.");
        return builder.ConnectionString;
    }

    private static string FromUrl(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var url) || string.IsNullOrEmpty(url.Host))
            throw new FormatException("the postgres:// URL has no host (expected postgres://user:password@host:port/database).");

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = url.Host,
            Port = url.IsDefaultPort || url.Port < 0 ? 5432 : url.Port,
            Database = Uri.UnescapeDataString(url.AbsolutePath.TrimStart('/')) is { Length: > 0 } db ? db : "postgres",
        };
        var userInfo = url.UserInfo.Split(':', 2);
        if (userInfo[0].Length > 0) builder.Username = Uri.UnescapeDataString(userInfo[0]);
        if (userInfo.Length == 2) builder.Password = Uri.UnescapeDataString(userInfo[1]);

        foreach (var pair in url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(parts[0]);
            var setting = parts.Length == 2 ? Uri.UnescapeDataString(parts[1]) : "";
            try
            {
                // libpq spells some keys differently; Npgsql understands sslmode, application_name, options, …
                builder[key.Replace('_', ' ')] = setting;
            }
            catch (ArgumentException)
            {
                throw new FormatException($"the URL parameter '{key}' is not a PostgreSQL connection setting.");
            }
        }
        return builder.ConnectionString;
    }
}
