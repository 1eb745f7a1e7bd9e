using System.Reflection;
using System.Security.Claims;
using System.Text.Json;
using ZiggyCreatures.Caching.Fusion;

namespace App.Infrastructure.Auth;

/// <summary>
/// The signed-in person as this app knows them (their users row). Handlers take it as a parameter; it is bound
/// from the request, where <see cref="UserProvisioning"/> put it after authentication.
/// </summary>
public sealed record CurrentUser(long Id, string ExternalId, string? Email, string Role, string TimeZone)
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
/// identity provider's email, role or time zone change) and exposes it as <see cref="CurrentUser"/>.
/// The row (id and stored time zone) is cached, so a steady user costs no database round trip. A time zone from the
/// identity provider (or the sign-in form) seeds a new row; after that the user's own choice (the settings page) rules.
/// </summary>
public static class UserProvisioning
{
    public const string DefaultTimeZone = "UTC";

    public static IApplicationBuilder UseUserProvisioning(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.User.Identity?.IsAuthenticated == true)
        {
            var options = context.RequestServices.GetRequiredService<AuthOptions>();
            var identity = ReadIdentity(context.User, options);
            if (identity.Error is not null)
                throw new ApiException(StatusCodes.Status403Forbidden, "forbidden", identity.Error);
            var (user, claimedTimeZone) = identity.User!.Value;
            var cache = context.RequestServices.GetRequiredService<IFusionCache>();
            var row = await cache.GetOrSetAsync(
                $"user:{user.ExternalId}:{user.Email}:{user.Role}",
                ct => UpsertAsync(context.RequestServices.GetRequiredService<NpgsqlDataSource>(), user, claimedTimeZone, ct),
                options: new FusionCacheEntryOptions(TimeSpan.FromMinutes(10)),
                tags: [CacheTag(user.ExternalId)],
                token: context.RequestAborted);
            context.Features.Set(user with { Id = row.Id, TimeZone = row.TimeZone });
        }
        await next(context);
    });

    /// <summary>Evicts the cached row of a user whose stored details changed (their time zone, from the settings page).</summary>
    public static string CacheTag(string externalId) => $"user:{externalId}";

    /// <summary>
    /// Reads the configured claims; a role the app does not know is refused rather than guessed. The time zone is
    /// returned apart: null when the provider sends none (or an unknown one), so the stored one stands.
    /// </summary>
    public static ((CurrentUser User, string? ClaimedTimeZone)? User, string? Error) ReadIdentity(ClaimsPrincipal principal, AuthOptions options)
    {
        var externalId = principal.FindFirst("sub")?.Value;
        if (string.IsNullOrWhiteSpace(externalId)) return (null, "The token has no subject (sub) claim.");

        var role = Claim(principal, options.RoleClaim)?.ToLowerInvariant() ?? UserRoles.Realtor;
        if (!UserRoles.IsKnown(role))
            return (null, $"The role '{role}' in claim {options.RoleClaim} is not one of {string.Join(", ", UserRoles.All)}.");

        var timeZone = Claim(principal, options.TimeZoneClaim);
        if (timeZone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _)) timeZone = null;

        return ((new CurrentUser(0, externalId, Claim(principal, options.EmailClaim), role, timeZone ?? DefaultTimeZone), timeZone), null);
    }

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

    private sealed record UserRow(long Id, string TimeZone);

    private static async Task<UserRow> UpsertAsync(NpgsqlDataSource db, CurrentUser user, string? claimedTimeZone, CancellationToken ct)
    {
        const string sql = """
            with upserted as (
                insert into users (external_id, email, role, time_zone)
                values (@ExternalId, @Email, @Role, coalesce(@ClaimedTimeZone, 'UTC'))
                on conflict (external_id) do update
                    set email = excluded.email, role = excluded.role, updated_at = now()
                    where (users.email, users.role) is distinct from (excluded.email, excluded.role)
                returning id, time_zone
            )
            select id, time_zone from upserted
            union all
            select id, time_zone from users where external_id = @ExternalId
            limit 1
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleAsync<UserRow>(new CommandDefinition(sql,
            new { user.ExternalId, user.Email, user.Role, ClaimedTimeZone = claimedTimeZone }, cancellationToken: ct));
    }
}
