using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.OAuth;
using Calendly.Simulator.Scheduling;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Control;

/// <summary>
/// POST /_sim/users creates accounts in bulk (a fresh organization each call unless one is named); POST /_sim/tokens
/// hands out a token pair for any user, exactly as the token endpoint would, without the browser.
/// </summary>
public static class UsersControl
{
    public const int MaxUsersPerCall = 1000;

    public sealed record CreateUsers(int? Count, string? Organization, string? Plan, string? Role, string? Timezone);

    public sealed record CreatedUser(string Uri, string Uuid, string Name, string Email, string Slug, string Timezone, string Role,
        string Plan, string SchedulingUrl, IReadOnlyList<string> EventTypes);

    public sealed record CreatedUsers(string Organization, IReadOnlyList<CreatedUser> Users);

    public sealed record IssueTokens(string? User, string? ClientId, string? Scope);

    public static void Map(RouteGroupBuilder control)
    {
        control.MapPost("/users", CreateAsync);
        control.MapPost("/tokens", IssueAsync);
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, WorldStore world, ResourceUris uris, TimeProvider clock,
        SimulatorSettings settings)
    {
        var (body, error) = await RequestBody.ReadAsync<CreateUsers>(request, RequestBody.ControlJson, request.HttpContext.RequestAborted);
        if (error is not null) return error;
        body ??= new CreateUsers(null, null, null, null, null);
        var details = new List<ErrorDetail>();
        var count = body.Count ?? 1;
        if (count is < 1 or > MaxUsersPerCall) details.Add(new("count", $"must be between 1 and {MaxUsersPerCall}"));
        var plan = body.Plan is null ? Plan.Standard : Plans.Parse(body.Plan);
        if (plan is null) details.Add(new("plan", "must be one of: free, basic, trial, standard, teams, enterprise"));
        MembershipRole? role = body.Role is null ? null : Enum.TryParse<MembershipRole>(body.Role, true, out var r) ? r : null;
        if (body.Role is not null && role is null) details.Add(new("role", "must be one of: user, admin, owner"));
        var timezone = body.Timezone ?? "UTC";
        if (TimeZones.TryFind(timezone) is null) details.Add(new("timezone", "must be an IANA time zone name"));
        if (details.Count > 0) return CalendlyErrors.InvalidArgument(details);

        return world.Locked(w =>
        {
            var now = clock.GetUtcNow();
            var batch = IdSource.Random.For("batch")[..8];
            Organization? organization;
            if (body.Organization is null)
                organization = AccountFactory.AddOrganization(w, IdSource.Random, batch, $"Simulated Organization {batch}", plan!.Value, now);
            else if (!w.Organizations.TryGetValue(ResourceUris.UuidOf(body.Organization, "organizations") ?? body.Organization, out organization))
                return CalendlyErrors.InvalidArgument("organization", "is not a known organization");

            var created = Enumerable.Range(0, count).Select(n =>
            {
                var userRole = role ?? (body.Organization is null && n == 0 ? MembershipRole.Owner : MembershipRole.User);
                var spec = AccountSpec.Generated($"{batch}-{n + 1}", timezone, body.Plan is null ? organization.Plan : plan!.Value, userRole);
                var user = AccountFactory.AddAccount(w, IdSource.Random, organization, spec, now, settings.SlotStepMinutes);
                var types = w.EventTypes.Values.Where(t => t.OwnerUuid == user.Uuid).OrderBy(t => t.Position).Select(t => uris.EventType(t.Uuid));
                return new CreatedUser(uris.User(user.Uuid), user.Uuid, user.Name, user.Email, user.Slug, user.Timezone,
                    userRole.ToString().ToLowerInvariant(), user.Plan.ToString().ToLowerInvariant(), uris.SchedulingPage(user.Slug), [.. types]);
            }).ToList();
            return Results.Json(new CreatedUsers(uris.Organization(organization.Uuid), created), RequestBody.ControlJson, statusCode: 201);
        });
    }

    /// <summary>The scope is narrowed as /oauth/authorize narrows it: to the client's registered scopes, all of them when none is asked.</summary>
    private static async Task<IResult> IssueAsync(HttpRequest request, OAuthClients clients, WorldStore world, TokenIssuer issuer)
    {
        var (body, error) = await RequestBody.ReadAsync<IssueTokens>(request, RequestBody.ControlJson, request.HttpContext.RequestAborted);
        if (error is not null) return error;
        if (body?.User is not { Length: > 0 } user) return CalendlyErrors.InvalidArgument("user", "is required (a user URI or uuid)");
        var userUuid = ResourceUris.UserUuidOf(user);
        if (!world.Locked(w => w.Users.ContainsKey(userUuid))) return CalendlyErrors.InvalidArgument("user", "is not a known user");
        if (clients.Find(body.ClientId ?? clients.App.ClientId) is not { } client)
            return CalendlyErrors.InvalidArgument("clientId", "is not a registered OAuth client");
        var grant = Scopes.Grant(client, body.Scope);
        if (grant.Unknown.Count > 0)
            return CalendlyErrors.InvalidArgument([.. grant.Unknown.Select(name => new ErrorDetail("scope", $"{name} is not a Calendly scope"))]);
        return TokenIssuer.Result(issuer.Issue(userUuid, client.ClientId, grant.Scope));
    }
}
