using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.OAuth;
using Calendly.Simulator.Resources;
using Calendly.Simulator.Traffic;
using Calendly.Simulator.Webhooks;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Api;

/// <summary>
/// /webhook_subscriptions: create, list (organization and scope required), get and delete. No update, as at Calendly.
/// Since 2026-11-03 every plan may subscribe; only plan-gated events need the organization on a paid plan.
/// </summary>
public static class WebhooksApi
{
    public const string UpgradePlan = "Please upgrade to a paid Calendly account.";

    public sealed record SubscriptionRequest(string? Url, IReadOnlyList<string>? Events, string? Organization, string? Scope,
        string? User, string? Group, string? SigningKey);

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPost("/webhook_subscriptions", CreateAsync).RequiresScope(Scopes.WebhooksWrite);
        api.MapGet("/webhook_subscriptions", List).RequiresScope(Scopes.WebhooksRead);
        api.MapGet("/webhook_subscriptions/{uuid}", Get).RequiresScope(Scopes.WebhooksRead);
        api.MapDelete("/webhook_subscriptions/{uuid}", Delete).RequiresScope(Scopes.WebhooksWrite);
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, Caller caller, WorldStore world, ResourceUris uris, TimeProvider clock,
        FaultRules faults)
    {
        var (body, error) = await RequestBody.ReadAsync<SubscriptionRequest>(request, CalendlyJson.Options, request.HttpContext.RequestAborted);
        if (error is not null) return error;
        body ??= new SubscriptionRequest(null, null, null, null, null, null, null);
        var details = new List<ErrorDetail>();
        // Calendly wants a public https URL; the simulator also takes http so that local receivers work.
        if (!Uri.TryCreate(body.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            details.Add(new("url", "must be a valid URL"));
        var scope = WebhookScopes.Parse(body.Scope);
        if (scope is null) details.Add(new("scope", "must be one of: organization, user, group"));
        ValidateEvents(body.Events, body.Scope, details);
        var organizationUuid = ResourceUris.UuidOf(body.Organization, "organizations");
        if (organizationUuid is null) details.Add(new("organization", "must be a valid URI"));
        var userUuid = ResourceUris.UuidOf(body.User, "users");
        if (scope == WebhookScope.User && userUuid is null) details.Add(new("user", "must be a valid URI"));
        var groupUuid = ResourceUris.UuidOf(body.Group, "groups");
        if (scope == WebhookScope.Group && groupUuid is null) details.Add(new("group", "must be a valid URI"));
        if (details.Count > 0) return CalendlyErrors.InvalidArgument(details);
        // Receiving an event's payloads needs the read scope of its family (§1.7).
        if (Scopes.MissingForWebhookEvents(caller.Token.Scope, body.Events!) is { Count: > 0 } missing)
            return CalendlyErrors.InsufficientScope(missing);

        return world.Locked(w =>
        {
            if (organizationUuid != caller.OrganizationUuid) return CalendlyErrors.PermissionDenied();
            // The organization's plan (its owner's) decides, not the caller's; the refusal fault stands in for a plan that refuses.
            var planGated = body.Events!.Any(e => WebhookEvents.Rules[e].NeedsPaidPlan);
            if (planGated && !w.Organizations[caller.OrganizationUuid].Plan.IsPaid() || RefusedByFault(faults, caller, request))
                return CalendlyErrors.PermissionDenied(UpgradePlan);
            if (scope == WebhookScope.User)
            {
                if (!w.Users.TryGetValue(userUuid!, out var user)) return CalendlyErrors.NotFound();
                if (!caller.CanActFor(user)) return CalendlyErrors.PermissionDenied();
            }
            else if (!caller.IsAdmin) return CalendlyErrors.PermissionDenied();
            var subscriptionUser = scope == WebhookScope.User ? userUuid : null;
            if (w.WebhookSubscriptions.Values.Any(s => s.CallbackUrl == body.Url && s.OrganizationUuid == organizationUuid && s.Scope == scope
                                                       && s.UserUuid == subscriptionUser && s.GroupUuid == groupUuid))
                return CalendlyErrors.AlreadyExists("Hook with this url already exists");

            var now = clock.GetUtcNow();
            var subscription = new WebhookSubscription
            {
                Uuid = IdSource.Random.For("webhook"), CallbackUrl = body.Url!, Events = [.. body.Events!.Distinct()], Scope = scope!.Value,
                OrganizationUuid = organizationUuid, UserUuid = subscriptionUser, GroupUuid = scope == WebhookScope.Group ? groupUuid : null,
                CreatorUuid = caller.User.Uuid, ClientId = caller.Token.ClientId,
                SigningKey = string.IsNullOrEmpty(body.SigningKey) ? null : body.SigningKey, CreatedAt = now, UpdatedAt = now,
            };
            w.Add(subscription);
            return CalendlyResults.Resource(WebhookSubscriptionResource.From(subscription, uris), StatusCodes.Status201Created);
        });
    }

    private static void ValidateEvents(IReadOnlyList<string>? events, string? scope, List<ErrorDetail> details)
    {
        if (events is not { Count: > 0 })
        {
            details.Add(new("events", "must contain at least one event"));
            return;
        }
        foreach (var name in events)
            if (WebhookEvents.ProblemWith(name, scope) is { } problem) details.Add(new("events", problem));
    }

    private static bool RefusedByFault(FaultRules faults, Caller caller, HttpRequest request) =>
        faults.For(caller.User.Uuid, request.Method, RouteKey.Template(request.HttpContext))?.RefuseWebhookSubscriptions is true;

    private static IResult List(HttpRequest request, Caller caller, WorldStore world, ResourceUris uris)
    {
        var query = new QueryReader(request);
        var organizationUuid = query.ResourceUuid("organization", "organizations", required: true);
        var scope = query.Required("scope") is null ? null : WebhookScopes.Parse(query.OneOf("scope", "organization", "user", "group"));
        var userUuid = query.ResourceUuid("user", "users", required: scope == WebhookScope.User);
        var groupUuid = query.ResourceUuid("group", "groups", required: scope == WebhookScope.Group);
        var sort = query.Sort("created_at:asc", "created_at");
        var page = Paging.Read(query);
        if (query.HasErrors) return query.Failure;

        return world.Locked(w =>
        {
            if (organizationUuid != caller.OrganizationUuid) return CalendlyErrors.PermissionDenied();
            var subscriptions = w.WebhookSubscriptions.Values
                .Where(s => s.OrganizationUuid == organizationUuid && s.Scope == scope)
                .Where(s => userUuid is null || s.UserUuid == userUuid)
                .Where(s => groupUuid is null || s.GroupUuid == groupUuid);
            var sorted = Filters.SortBy(subscriptions, sort, (s, _) => s.CreatedAt, s => s.Uuid)
                .Select(s => WebhookSubscriptionResource.From(s, uris)).ToList();
            return Paging.Result(page, request, uris, sorted);
        });
    }

    private static IResult Get(string uuid, Caller caller, WorldStore world, ResourceUris uris) => world.Locked(w =>
        !w.WebhookSubscriptions.TryGetValue(uuid, out var s) ? CalendlyErrors.NotFound()
        : s.OrganizationUuid != caller.OrganizationUuid ? CalendlyErrors.PermissionDenied()
        : CalendlyResults.Resource(WebhookSubscriptionResource.From(s, uris)));

    private static IResult Delete(string uuid, Caller caller, WorldStore world) => world.Locked(w =>
    {
        if (!w.WebhookSubscriptions.TryGetValue(uuid, out var s)) return CalendlyErrors.NotFound();
        if (s.OrganizationUuid != caller.OrganizationUuid || !(caller.IsAdmin || s.CreatorUuid == caller.User.Uuid))
            return CalendlyErrors.PermissionDenied();
        w.WebhookSubscriptions.Remove(uuid);
        return Results.NoContent();
    });
}
