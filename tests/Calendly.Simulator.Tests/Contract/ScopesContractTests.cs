using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Calendly.Simulator.OAuth;
using Calendly.Simulator.Tests.Support;
using Microsoft.AspNetCore.WebUtilities;

namespace Calendly.Simulator.Tests.Contract;

/// <summary>
/// Calendly's granular scopes (§1.2, §1.4, §1.7). These run against the simulator only: a personal access token's scopes
/// cannot be narrowed from a test, and OAuth needs a registered app and a person to click Allow.
/// </summary>
[ClassDataSource<SimulatorFixture>(Shared = SharedType.PerTestSession)]
public sealed class ScopesContractTests(SimulatorFixture fixture)
{
    private TestSimulator Sim => fixture.Simulator;

    /// <summary>Every API route with the scopes §1.7 gives it (space-separated: any one will do). The scope is checked first, so any id will do.</summary>
    public static IEnumerable<(string Method, string Path, string Required)> Routes()
    {
        const string id = "0b7e7a52-5c4e-4b1e-9d43-2f1f0c6a9e01";
        yield return ("GET", "/users/me", "users:read");
        yield return ("GET", $"/users/{id}", "users:read");
        yield return ("GET", "/organization_memberships", "organizations:read");
        yield return ("GET", $"/organization_memberships/{id}", "organizations:read");
        yield return ("GET", "/event_types", "event_types:read");
        yield return ("GET", $"/event_types/{id}", "event_types:read");
        yield return ("GET", "/event_type_available_times", "event_types:read availability:read");
        yield return ("GET", "/user_availability_schedules", "availability:read");
        yield return ("GET", $"/user_availability_schedules/{id}", "availability:read");
        yield return ("GET", "/user_busy_times", "availability:read");
        yield return ("GET", "/scheduled_events", "scheduled_events:read");
        yield return ("GET", $"/scheduled_events/{id}", "scheduled_events:read");
        yield return ("GET", $"/scheduled_events/{id}/invitees", "scheduled_events:read");
        yield return ("GET", $"/scheduled_events/{id}/invitees/{id}", "scheduled_events:read");
        yield return ("POST", $"/scheduled_events/{id}/cancellation", "scheduled_events:write");
        yield return ("POST", "/invitees", "scheduled_events:write");
        yield return ("POST", "/invitee_no_shows", "scheduled_events:write");
        yield return ("GET", $"/invitee_no_shows/{id}", "scheduled_events:read");
        yield return ("DELETE", $"/invitee_no_shows/{id}", "scheduled_events:write");
        yield return ("GET", "/webhook_subscriptions", "webhooks:read");
        yield return ("GET", $"/webhook_subscriptions/{id}", "webhooks:read");
        yield return ("POST", "/webhook_subscriptions", "webhooks:write");
        yield return ("DELETE", $"/webhook_subscriptions/{id}", "webhooks:write");
        yield return ("GET", "/sample_webhook_data", "webhooks:read");
    }

    [Test, Property("Reference", "§1.7")]
    public async Task A_token_without_the_scope_gets_Calendlys_403_Insufficient_scope_body()
    {
        var coach = await Sim.NewAccountAsync();
        var readOnly = await Sim.AccountForAsync(coach.UserUri, scope: "scheduled_events:read");

        using var response = await readOnly.Api.PostAsJsonAsync($"/scheduled_events/{Guid.NewGuid()}/cancellation", new { reason = "x" });
        var body = await response.JsonAsync();

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Forbidden);
        await Assert.That(body.Names()).IsEquivalentTo(["title", "message", "required_scopes"]);
        await Assert.That(body.Text("title")).IsEqualTo("Insufficient scope");
        await Assert.That(body.Text("message")).IsEqualTo("This operation requires the scopes listed in the 'required_scopes' array.");
        await Assert.That(RequiredScopes(body)).IsEquivalentTo(["scheduled_events:write"]);
    }

    [Test, Property("Reference", "§1.7")]
    [MethodDataSource(nameof(Routes))]
    public async Task Each_route_refuses_a_token_without_its_scope_and_admits_one_with_it(string method, string path, string required)
    {
        var coach = await Sim.NewAccountAsync();
        var unrelated = await Sim.AccountForAsync(coach.UserUri, scope: "groups:read");
        var entitled = await Sim.AccountForAsync(coach.UserUri, scope: required.Split(' ')[0]);

        var (refusedStatus, refused) = await SendAsync(unrelated, method, path);
        var (_, admitted) = await SendAsync(entitled, method, path);

        await Assert.That(refusedStatus).IsEqualTo(HttpStatusCode.Forbidden);
        await Assert.That(RequiredScopes(refused)).IsEquivalentTo(required.Split(' '));
        await Assert.That(TitleOf(admitted)).IsNotEqualTo("Insufficient scope");
    }

    [Test, Property("Reference", "§1.7")]
    public async Task A_legacy_default_token_passes_every_scope_check()
    {
        var coach = await Sim.NewAccountAsync();
        var legacy = await Sim.AccountForAsync(coach.UserUri, clientId: TestSimulator.OtherClient.ClientId);

        var refused = new List<string>();
        foreach (var (method, path, _) in Routes())
            if (TitleOf((await SendAsync(legacy, method, path)).Body) == "Insufficient scope") refused.Add($"{method} {path}");

        await Assert.That(refused).IsEmpty();
    }

    [Test, Property("Reference", "§1.7")]
    public async Task A_write_scope_includes_the_read_scope_of_its_family()
    {
        var coach = await Sim.NewAccountAsync();
        var writer = await Sim.AccountForAsync(coach.UserUri, scope: "scheduled_events:write webhooks:write");
        var user = Uri.EscapeDataString(coach.UserUri);

        using var events = await writer.Api.GetAsync($"/scheduled_events?user={user}");
        using var subscriptions = await writer.Api.GetAsync(
            $"/webhook_subscriptions?organization={Uri.EscapeDataString(coach.OrganizationUri)}&scope=user&user={user}");

        await Assert.That(events.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(subscriptions.StatusCode).IsEqualTo(HttpStatusCode.OK);
    }

    [Test, Property("Reference", "§1.7")]
    public async Task Available_times_take_either_event_types_read_or_availability_read()
    {
        var coach = await Sim.NewAccountAsync();
        var eventType = await coach.EventTypeUriAsync();

        var byEventTypes = await (await Sim.AccountForAsync(coach.UserUri, scope: "event_types:read")).FreeSlotsAsync(eventType);
        var byAvailability = await (await Sim.AccountForAsync(coach.UserUri, scope: "availability:read")).FreeSlotsAsync(eventType);
        var neither = await Sim.AccountForAsync(coach.UserUri, scope: "users:read");
        using var refused = await neither.Api.GetAsync($"/event_type_available_times?event_type={Uri.EscapeDataString(eventType)}");

        await Assert.That(byEventTypes.Count).IsGreaterThan(0);
        await Assert.That(byAvailability.Count).IsEqualTo(byEventTypes.Count);
        await Assert.That(refused.StatusCode).IsEqualTo(HttpStatusCode.Forbidden);
        await Assert.That(RequiredScopes(await refused.JsonAsync())).IsEquivalentTo(["event_types:read", "availability:read"]);
    }

    [Test, Property("Reference", "§1.4")]
    public async Task The_token_response_scope_is_the_granted_one_and_survives_refresh()
    {
        var coach = await Sim.NewAccountAsync();
        var flow = new OAuthFlow(Sim, TestSimulator.ScopedClient);

        using var exchanged = await flow.ExchangeAsync(await flow.CodeForAsync(coach.Uuid, scope: "users:read scheduled_events:read"));
        var granted = await exchanged.JsonAsync();
        using var refreshed = await flow.RefreshAsync(granted.Text("refresh_token"));
        var renewed = await refreshed.JsonAsync();
        using var introspected = await Sim.Http.PostAsync("/oauth/introspect", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = TestSimulator.ScopedClient.ClientId, ["client_secret"] = TestSimulator.ScopedClient.ClientSecret,
            ["token"] = renewed.Text("access_token"),
        }));

        await Assert.That(granted.Text("scope")).IsEqualTo("users:read scheduled_events:read");
        await Assert.That(renewed.Text("scope")).IsEqualTo("users:read scheduled_events:read");
        await Assert.That((await introspected.JsonAsync()).Text("scope")).IsEqualTo("users:read scheduled_events:read");
    }

    [Test, Property("Reference", "§1.2")]
    public async Task Authorize_grants_the_asked_scopes_the_app_is_registered_for_and_shows_them_on_the_consent_page()
    {
        var coach = await Sim.NewAccountAsync();
        // Registered: users:read and scheduled_events:write, which includes scheduled_events:read.
        const string asked = "users:read scheduled_events:read webhooks:read";
        var parameters = OAuthFlow.AuthorizeParameters(client: TestSimulator.ScopedClient, scope: asked);

        var consent = await Sim.Http.GetStringAsync(QueryHelpers.AddQueryString("/oauth/authorize", parameters));
        var flow = new OAuthFlow(Sim, TestSimulator.ScopedClient);
        using var exchanged = await flow.ExchangeAsync(await flow.CodeForAsync(coach.Uuid, scope: asked));

        await Assert.That(consent).Contains("<code>users:read</code> <code>scheduled_events:read</code>");
        await Assert.That(consent).DoesNotContain("<code>webhooks:read</code>");
        await Assert.That((await exchanged.JsonAsync()).Text("scope")).IsEqualTo("users:read scheduled_events:read");
    }

    [Test, Property("Reference", "§1.4")]
    public async Task Without_a_scope_a_grant_gets_every_registered_scope_and_a_legacy_app_default()
    {
        var coach = await Sim.NewAccountAsync();

        var scoped = await GrantedScopeAsync(new OAuthFlow(Sim, TestSimulator.ScopedClient), coach.Uuid);
        var app = await GrantedScopeAsync(new OAuthFlow(Sim), coach.Uuid);
        var legacy = await GrantedScopeAsync(new OAuthFlow(Sim, TestSimulator.OtherClient), coach.Uuid);
        var legacyAsking = await GrantedScopeAsync(new OAuthFlow(Sim, TestSimulator.OtherClient), coach.Uuid, "users:read");

        await Assert.That(scoped).IsEqualTo("users:read scheduled_events:write");
        await Assert.That(app).IsEqualTo(string.Join(' ', Scopes.Catalog));
        await Assert.That(legacy).IsEqualTo("default");
        await Assert.That(legacyAsking).IsEqualTo("users:read");
    }

    [Test, Property("Reference", "§1.2")]
    public async Task An_unknown_scope_is_reported_to_the_client_as_invalid_scope_by_redirect()
    {
        var parameters = OAuthFlow.AuthorizeParameters(scope: "users:read calendars:read");

        using var response = await Sim.Http.GetAsync(QueryHelpers.AddQueryString("/oauth/authorize", parameters));
        var query = QueryHelpers.ParseQuery(response.Headers.Location!.Query);

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Redirect);
        await Assert.That(response.Headers.Location!.ToString()).StartsWith(OAuthFlow.Client.RedirectUris[0] + "?");
        await Assert.That(query["error"].ToString()).IsEqualTo("invalid_scope");
        await Assert.That(query["error_description"].ToString()).IsEqualTo("The requested scope is invalid, unknown, or malformed.");
        await Assert.That(query["state"].ToString()).IsEqualTo("xyz");
    }

    [Test, Property("Reference", "§1.7")]
    public async Task A_webhook_subscription_needs_the_read_scope_of_each_event_family()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var coach = await Sim.NewAccountAsync();
        var hooksOnly = await Sim.AccountForAsync(coach.UserUri, scope: "webhooks:write");
        var entitled = await Sim.AccountForAsync(coach.UserUri, scope: "webhooks:write scheduled_events:read event_types:read");
        string[] events = ["invitee.created", "invitee_no_show.created", "event_type.updated"];

        using var refused = await hooksOnly.Api.PostAsJsonAsync("/webhook_subscriptions", new
        {
            url = receiver.Url, events, organization = coach.OrganizationUri, scope = "user", user = coach.UserUri,
        });
        using var routingForms = await entitled.Api.PostAsJsonAsync("/webhook_subscriptions", new
        {
            url = receiver.Url, events = new[] { "routing_form_submission.created" }, organization = coach.OrganizationUri, scope = "organization",
        });
        var created = await entitled.SubscribeAsync(receiver, events);

        await Assert.That(refused.StatusCode).IsEqualTo(HttpStatusCode.Forbidden);
        await Assert.That(RequiredScopes(await refused.JsonAsync())).IsEquivalentTo(["scheduled_events:read", "event_types:read"]);
        await Assert.That(RequiredScopes(await routingForms.JsonAsync())).IsEquivalentTo(["routing_forms:read"]);
        await Assert.That(created.Text("state")).IsEqualTo("active");
    }

    private static async Task<string> GrantedScopeAsync(OAuthFlow flow, string accountUuid, string? scope = null)
    {
        using var exchanged = await flow.ExchangeAsync(await flow.CodeForAsync(accountUuid, scope: scope));
        return (await exchanged.JsonAsync()).Text("scope");
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(SimAccount account, string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST") request.Content = JsonContent.Create(new { });
        using var response = await account.Api.SendAsync(request);
        return (response.StatusCode, await response.JsonAsync());
    }

    private static string? TitleOf(JsonElement body) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty("title", out var title) ? title.GetString() : null;

    private static IReadOnlyList<string> RequiredScopes(JsonElement body) =>
        [.. body.GetProperty("required_scopes").EnumerateArray().Select(s => s.GetString()!)];
}
