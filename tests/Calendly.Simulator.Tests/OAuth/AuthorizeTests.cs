using System.Net;
using Calendly.Simulator.Tests.Support;
using Microsoft.AspNetCore.WebUtilities;

namespace Calendly.Simulator.Tests.OAuth;

[ClassDataSource<SimulatorFixture>(Shared = SharedType.PerTestSession)]
public sealed class AuthorizeTests(SimulatorFixture fixture)
{
    private TestSimulator Sim => fixture.Simulator;

    [Test]
    public async Task The_consent_page_offers_the_seeded_accounts_with_the_default_coach_preselected()
    {
        using var response = await Sim.Http.GetAsync(QueryHelpers.AddQueryString("/oauth/authorize", OAuthFlow.AuthorizeParameters()));
        var html = await response.Content.ReadAsStringAsync();

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(html).Contains($"""<option value="{Sim.SeededUserUri("casey-rivera").Uuid()}" selected>""");
        await Assert.That(html).Contains("value=\"allow\"");
        await Assert.That(html).Contains("value=\"deny\"");
        await Assert.That(html).Contains("sam.taylor@solo.example");
    }

    [Test]
    public async Task Allow_redirects_back_with_a_code_and_the_state()
    {
        var (response, query) = await new OAuthFlow(Sim).DecideAsync(Sim.SeededUserUri("casey-rivera").Uuid());

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Redirect);
        await Assert.That(response.Headers.Location!.ToString()).StartsWith(OAuthFlow.Client.RedirectUris[0] + "?");
        await Assert.That(query["code"]).Matches("^[0-9a-f]{64}$");
        await Assert.That(query["state"]).IsEqualTo("xyz");
    }

    [Test]
    public async Task Deny_redirects_back_with_access_denied_and_the_state()
    {
        var (_, query) = await new OAuthFlow(Sim).DecideAsync(Sim.SeededUserUri("casey-rivera").Uuid(), "deny");

        await Assert.That(query["error"]).IsEqualTo("access_denied");
        await Assert.That(query["state"]).IsEqualTo("xyz");
        await Assert.That(query.ContainsKey("code")).IsFalse();
    }

    [Test]
    [Arguments("client_id", "unknown-client")]
    [Arguments("redirect_uri", "https://evil.example/callback")]
    public async Task A_bad_client_or_redirect_uri_shows_an_error_page_instead_of_redirecting(string parameter, string value)
    {
        var parameters = OAuthFlow.AuthorizeParameters();
        parameters[parameter] = value;

        using var response = await Sim.Http.GetAsync(QueryHelpers.AddQueryString("/oauth/authorize", parameters));

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(response.Headers.Location).IsNull();
        await Assert.That(response.Content.Headers.ContentType!.MediaType).IsEqualTo("text/html");
    }

    [Test]
    public async Task A_wrong_response_type_or_pkce_method_is_reported_to_the_client_by_redirect()
    {
        var parameters = OAuthFlow.AuthorizeParameters();
        parameters["code_challenge_method"] = "plain";

        using var response = await Sim.Http.GetAsync(QueryHelpers.AddQueryString("/oauth/authorize", parameters));
        var query = QueryHelpers.ParseQuery(response.Headers.Location!.Query);

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Redirect);
        await Assert.That(query["error"].ToString()).IsEqualTo("invalid_request");
        await Assert.That(query["state"].ToString()).IsEqualTo("xyz");
    }
}
