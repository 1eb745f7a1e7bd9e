using System.Net;
using Calendly.Simulator.Tests.Support;

namespace Calendly.Simulator.Tests.Contract;

/// <summary>Facts of calendly-api.md §2–§4.1 and §6, checked against the simulator and, with a token, against Calendly.</summary>
[ClassDataSource<SimulatorFixture>(Shared = SharedType.PerTestSession)]
public sealed class UsersContractTests(SimulatorFixture fixture)
{
    [Test, MethodDataSource(typeof(ContractTargets), nameof(ContractTargets.All))]
    public async Task Users_me_is_a_single_resource_with_every_documented_field(string target)
    {
        var api = await ContractTargets.ConnectAsync(target, fixture.Simulator);

        var me = (await api.Api.GetJsonAsync("/users/me")).GetProperty("resource");

        await Assert.That(me.Names()).Contains("avatar_url"); // nullable, yet present
        foreach (var field in new[] { "uri", "name", "slug", "email", "scheduling_url", "timezone", "created_at", "updated_at", "current_organization" })
            await Assert.That(me.Names()).Contains(field);
        await Assert.That(me.Text("uri")).IsEqualTo(api.UserUri);
        await Assert.That(me.Text("uri")).StartsWith($"{api.BaseUrl}/users/");
        await Assert.That(me.Text("current_organization")).StartsWith($"{api.BaseUrl}/organizations/");
        await Assert.That(me.Text("created_at").IsCalendlyTimestamp()).IsTrue();
    }

    [Test, MethodDataSource(typeof(ContractTargets), nameof(ContractTargets.All))]
    public async Task Users_by_uuid_answers_the_same_user(string target)
    {
        var api = await ContractTargets.ConnectAsync(target, fixture.Simulator);

        var user = (await api.Api.GetJsonAsync($"/users/{api.UserUri.Uuid()}")).GetProperty("resource");

        await Assert.That(user.Text("uri")).IsEqualTo(api.UserUri);
    }

    [Test, MethodDataSource(typeof(ContractTargets), nameof(ContractTargets.All))]
    public async Task A_bad_token_is_401_Unauthenticated(string target)
    {
        var api = await ContractTargets.ConnectAsync(target, fixture.Simulator);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/users/me");
        request.Headers.Authorization = new("Bearer", "not-a-token");

        using var response = await api.Api.SendAsync(request);
        var body = await response.JsonAsync();

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Unauthorized);
        await Assert.That(body.Text("title")).IsEqualTo("Unauthenticated");
        await Assert.That(body.Text("message")).IsEqualTo("The access token is invalid");
    }

    [Test, MethodDataSource(typeof(ContractTargets), nameof(ContractTargets.All))]
    public async Task Memberships_of_me_name_my_organization_in_a_paginated_collection(string target)
    {
        var api = await ContractTargets.ConnectAsync(target, fixture.Simulator);

        var page = await api.Api.GetJsonAsync($"/organization_memberships?user={Uri.EscapeDataString(api.UserUri)}");

        var pagination = page.GetProperty("pagination");
        await Assert.That(pagination.Names()).IsEquivalentTo(["count", "next_page", "previous_page", "next_page_token", "previous_page_token"]);
        var membership = page.GetProperty("collection")[0];
        await Assert.That(membership.Text("organization")).IsEqualTo(api.OrganizationUri);
        await Assert.That(membership.GetProperty("user").Text("uri")).IsEqualTo(api.UserUri);
        await Assert.That(new[] { "user", "admin", "owner" }).Contains(membership.Text("role"));
    }

    [Test, MethodDataSource(typeof(ContractTargets), nameof(ContractTargets.All))]
    public async Task An_unknown_user_uuid_is_404_Resource_Not_Found(string target)
    {
        var api = await ContractTargets.ConnectAsync(target, fixture.Simulator);

        using var response = await api.Api.GetAsync($"/scheduled_events/{Guid.NewGuid()}");
        var body = await response.JsonAsync();

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
        await Assert.That(body.Text("title")).IsEqualTo("Resource Not Found");
        await Assert.That(body.Text("message")).IsEqualTo("The server could not find the requested resource.");
    }
}
