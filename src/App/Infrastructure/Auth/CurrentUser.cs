using System.Reflection;
using System.Security.Claims;
using System.Text.Json;
using App.Infrastructure.Caching;
using ZiggyCreatures.Caching.Fusion;

namespace App.Infrastructure.Auth;

/// <summary>
/// The signed-in person as this app knows them (their users row). Handlers take it as a parameter; it is bound
/// from the request, where <see cref="UserProvisioning"/> put it after authentication.
/// </summary>
/// <param name="Name">Never empty: the name the identity provider or the sign-in form gave (now or at an earlier
/// sign-in), else the email's local part, else the user id.</param>
public sealed record CurrentUser(long Id, string ExternalId, string? Email, string Role, string TimeZone, string Name)
{
    public bool IsCoach => Role == UserRoles.Coach;
    public bool IsRealtor => Role == UserRoles.Realtor;
    public bool IsAdmin => Role == UserRoles.Admin;

    public static ValueTask<CurrentUser?> BindAsync(HttpContext context, ParameterInfo parameter) =>
        ValueTask.FromResult<CurrentUser?>(context.Features.Get<CurrentUser>()
            ?? throw new ApiException(StatusCodes.Status401Unauthorized, "unauthenticated", "Sign in first."));
}

/// <summary>
/// Middleware: turns an authenticated principal into a users row (created on the first request, updated when the
/// identity provider's email, role or name change) and exposes it as <see cref="CurrentUser"/>.
/// The row (id, stored time zone and name) is cached under the claims it was written from, so a steady user costs no
/// database round trip; a changed claim writes the row again and evicts the user's other cached copies (another
/// session, another instance), which would show the old name. A time zone from the identity provider (or the
/// sign-in form) seeds a new row; after that the user's own choice (the settings page) rules. A name replaces the
/// stored one; a principal without one keeps it.
/// </summary>
public static class UserProvisioning
{
    public const string DefaultTimeZone = "UTC";
    public const int MaxNameLength = 100;

    public static IApplicationBuilder UseUserProvisioning(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.User.Identity?.IsAuthenticated == true)
        {
            var options = context.RequestServices.GetRequiredService<AuthOptions>();
            var identity = ReadIdentity(context.User, options);
            if (identity.Error is not null)
                throw new ApiException(StatusCodes.Status403Forbidden, "forbidden", identity.Error);
            var (user, claimedTimeZone, claimedName) = identity.User!.Value;
            var cache = context.RequestServices.GetRequiredService<IFusionCache>();
            var row = await cache.GetOrSetAsync(
                $"user:{user.ExternalId}:{ClaimsDigest(user.Email, user.Role, claimedName)}",
                ct => UpsertAsync(context.RequestServices, user, claimedTimeZone, claimedName, ct),
                options: new FusionCacheEntryOptions(TimeSpan.FromMinutes(10)),
                tags: [CacheTag(user.ExternalId)],
                token: context.RequestAborted);
            context.Features.Set(user with { Id = row.Id, TimeZone = row.TimeZone, Name = row.Name ?? user.Name });
        }
        await next(context);
    });

    /// <summary>
    /// What the identity provider says of the user, as part of the cache key (a change is a miss, which updates the row),
    /// hashed: cache keys reach FusionCache's log lines, and an email must not.
    /// </summary>
    private static string ClaimsDigest(string? email, string role, string? name) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{email}\n{role}\n{name}")))[..32];

    /// <summary>Evicts the cached row of a user whose stored details changed (their time zone, from the settings page).</summary>
    public static string CacheTag(string externalId) => $"user:{externalId}";

    /// <summary>
    /// Reads the configured claims; a role the app does not know is refused rather than guessed. The time zone and the
    /// name are also returned apart: null when the provider sends none (or an unknown zone), so the stored one stands.
    /// </summary>
    public static ((CurrentUser User, string? ClaimedTimeZone, string? ClaimedName)? User, string? Error) ReadIdentity(
        ClaimsPrincipal principal, AuthOptions options)
    {
        var externalId = principal.FindFirst("sub")?.Value;
        if (string.IsNullOrWhiteSpace(externalId)) return (null, "The token has no subject (sub) claim.");

        var role = Claim(principal, options.RoleClaim)?.ToLowerInvariant() ?? UserRoles.Realtor;
        if (!UserRoles.IsKnown(role))
            return (null, $"The role '{role}' in claim {options.RoleClaim} is not one of {string.Join(", ", UserRoles.All)}.");

        var timeZone = Claim(principal, options.TimeZoneClaim);
        if (timeZone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _)) timeZone = null;

        var email = Claim(principal, options.EmailClaim);
        var name = PersonName(Claim(principal, options.NameClaim));
        return ((new CurrentUser(0, externalId, email, role, timeZone ?? DefaultTimeZone, name ?? FallbackName(email, externalId)),
            timeZone, name), null);
    }

    /// <summary>
    /// A name as an identity provider sends it, made storable: control characters (PostgreSQL stores no NUL) become
    /// spaces, the ends are trimmed, and it is cut to <see cref="MaxNameLength"/>. Blank is no name.
    /// </summary>
    internal static string? PersonName(string? claimed)
    {
        if (claimed is null) return null;
        var name = string.Create(claimed.Length, claimed, (chars, from) =>
        {
            for (var i = 0; i < from.Length; i++) chars[i] = char.IsControl(from[i]) ? ' ' : from[i];
        }).Trim();
        if (name.Length > MaxNameLength)
            name = name[..(char.IsHighSurrogate(name[MaxNameLength - 1]) ? MaxNameLength - 1 : MaxNameLength)].TrimEnd();
        return name.Length == 0 ? null : name;
    }

    /// <summary>What someone nothing has named is called: their email's local part, else their user id.</summary>
    private static string FallbackName(string? email, string externalId) =>
        email?.Split('@')[0] is { Length: > 0 } localPart ? localPart : externalId;

    /// <summary>A claim by name, or by a dotted path into a JSON claim (Clerk puts custom roles in e.g. metadata.role).</summary>
    internal static string? Claim(ClaimsPrincipal principal, string name)
    {
        if (principal.FindFirst(name)?.Value is { Length: > 0 } direct) return direct;
        var dot = name.IndexOf('.');
        if (dot < 0 || principal.FindFirst(name[..dot])?.Value is not { Length: > 0 } json) return null;
        try
        {
            var element = JsonDocument.Parse(json).RootElement;
            foreach (var segment in name[(dot + 1)..].Split('.'))
            {
                if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(segment, out element)) return null;
            }
            return element.ValueKind == JsonValueKind.String ? element.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <param name="Updated">This request changed a row that existed: copies cached before are stale.</param>
    private sealed record UserRow(long Id, string TimeZone, string? Name, bool Updated);

    private static async Task<UserRow> UpsertAsync(IServiceProvider services, CurrentUser user, string? claimedTimeZone,
        string? claimedName, CancellationToken ct)
    {
        // The outer select sees the table as it was before the statement: a row from upserted that existed already
        // was updated, not inserted.
        const string sql = """
            with upserted as (
                insert into users (external_id, email, role, time_zone, name)
                values (@ExternalId, @Email, @Role, coalesce(@ClaimedTimeZone, 'UTC'), @ClaimedName)
                on conflict (external_id) do update
                    set email = excluded.email, role = excluded.role, name = coalesce(excluded.name, users.name),
                        updated_at = now()
                    where (users.email, users.role, users.name)
                          is distinct from (excluded.email, excluded.role, coalesce(excluded.name, users.name))
                returning id, time_zone, name
            )
            select id, time_zone, name, exists (select from users where external_id = @ExternalId) as updated from upserted
            union all
            select id, time_zone, name, false from users where external_id = @ExternalId
            limit 1
            """;
        UserRow row;
        await using (var connection = await services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync(ct))
            row = await connection.QuerySingleAsync<UserRow>(new CommandDefinition(sql,
                new { user.ExternalId, user.Email, user.Role, ClaimedTimeZone = claimedTimeZone, ClaimedName = claimedName },
                cancellationToken: ct));
        if (row.Updated) await services.GetRequiredService<ClusterCache>().EvictAsync(CacheTag(user.ExternalId), ct);
        return row;
    }
}
