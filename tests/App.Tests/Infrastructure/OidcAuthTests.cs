using App.Infrastructure.Web;
using System.Net;
using App.Tests.Support;
using Dapper;
using Microsoft.IdentityModel.Tokens;

namespace App.Tests.Infrastructure;

[ClassDataSource<OidcAppFixture>(Shared = SharedType.PerTestSession)]
public sealed class OidcAuthTests(OidcAppFixture app)
{
    /// <summary>The home page (Dashboard's, in this app): where sign-in and connecting lead.</summary>
    private static readonly string Home = PageContributions.Home.Href;

    private static string NewId() => $"user_{Guid.NewGuid():N}"[..20];

    private async Task<HttpResponseMessage> MeWith(string token)
    {
        var browser = app.NewBrowser();
        browser.Bearer = token;
        return await browser.GetAsync(SignedInUserModule.Path);
    }

    [Test]
    public async Task A_token_from_the_issuer_signs_the_user_in_with_the_configured_claims()
    {
        var id = NewId();
        var response = await MeWith(app.MintFor(id, role: "coach", email: "coach@example.test"));
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        var data = (await Browser.JsonAsync(response)).GetProperty("data");
        await Assert.That(data.GetProperty("externalId").GetString()).IsEqualTo(id);
        await Assert.That(data.GetProperty("email").GetString()).IsEqualTo("coach@example.test");
        await Assert.That(data.GetProperty("role").GetString()).IsEqualTo("coach");
    }

    [Test]
    public async Task Clerk_s_session_cookie_is_read_for_page_navigations()
    {
        var browser = app.NewBrowser();
        var request = new HttpRequestMessage(HttpMethod.Get, Home);
        request.Headers.Add("Cookie", $"__session={app.MintFor(NewId(), role: "realtor")}");
        var response = await browser.SendAsync(request);
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(await response.Content.ReadAsStringAsync()).Contains("realtor");
    }

    [Test]
    public async Task A_token_without_a_role_claim_is_a_realtor()
    {
        var token = app.Issuer.Mint(new Dictionary<string, object> { ["sub"] = NewId(), ["azp"] = OidcAppFixture.AuthorizedParty });
        var data = (await Browser.JsonAsync(await MeWith(token))).GetProperty("data");
        await Assert.That(data.GetProperty("role").GetString()).IsEqualTo("realtor");
        await Assert.That(data.GetProperty("email").ValueKind).IsEqualTo(System.Text.Json.JsonValueKind.Null);
    }

    [Test]
    public async Task The_name_claim_is_the_user_s_name_and_a_changed_one_replaces_it()
    {
        var id = NewId();
        await Assert.That(await NameWith(app.MintFor(id, name: "Robin Vale"))).IsEqualTo("Robin Vale");
        await Assert.That(await NameWith(app.MintFor(id, name: "Robin Vale-Ortiz"))).IsEqualTo("Robin Vale-Ortiz");
        // A token without the claim (another client of the provider, a scope not asked) keeps the stored name.
        await Assert.That(await NameWith(app.MintFor(id))).IsEqualTo("Robin Vale-Ortiz");

        await using var db = await app.Database.OpenAsync();
        var stored = await db.QuerySingleAsync<string?>("select name from users where external_id = @id", new { id });
        await Assert.That(stored).IsEqualTo("Robin Vale-Ortiz");
    }

    [Test]
    public async Task Without_a_name_claim_the_email_s_local_part_stands_in_and_without_an_email_the_user_id()
    {
        await Assert.That(await NameWith(app.MintFor(NewId(), email: "pat.lee@example.test"))).IsEqualTo("pat.lee");
        var id = NewId();
        var bare = app.Issuer.Mint(new Dictionary<string, object> { ["sub"] = id, ["azp"] = OidcAppFixture.AuthorizedParty });
        await Assert.That(await NameWith(bare)).IsEqualTo(id);
    }

    [Test]
    public async Task A_name_claim_the_app_cannot_store_as_sent_is_tidied_not_refused()
    {
        await Assert.That(await NameWith(app.MintFor(NewId(), name: "  Robin\u0000Vale\n "))).IsEqualTo("Robin Vale");
        await Assert.That(await NameWith(app.MintFor(NewId(), name: new string('n', 150)))).IsEqualTo(new string('n', 100));
        await Assert.That(await NameWith(app.MintFor(NewId(), name: "   ", email: "blank@example.test"))).IsEqualTo("blank");
    }

    private async Task<string?> NameWith(string token)
    {
        var response = await MeWith(token);
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        return (await Browser.JsonAsync(response)).GetProperty("data").GetProperty("name").GetString();
    }

    [Test]
    public async Task An_unknown_role_is_forbidden_not_guessed()
    {
        var response = await MeWith(app.MintFor(NewId(), role: "superuser"));
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Forbidden);
        var error = (await Browser.JsonAsync(response)).GetProperty("error");
        await Assert.That(error.GetProperty("code").GetString()).IsEqualTo("forbidden");
        await Assert.That(error.GetProperty("message").GetString()).Contains("superuser");
    }

    [Test]
    public async Task Tokens_that_are_not_the_issuer_s_are_refused()
    {
        var otherKey = new RsaSecurityKey(System.Security.Cryptography.RSA.Create(2048)) { KeyId = "test-key-1" };
        var claims = new Dictionary<string, object> { ["sub"] = NewId(), ["azp"] = OidcAppFixture.AuthorizedParty };
        string[] refused =
        [
            app.Issuer.Mint(claims, issuer: "https://someone-else.example.test"),
            app.Issuer.Mint(claims, expires: DateTime.UtcNow.AddMinutes(-5)),
            app.Issuer.Mint(claims, signingKey: otherKey),
            app.MintFor(NewId(), azp: "https://phishing.example.test"),
        ];
        foreach (var token in refused)
        {
            var response = await MeWith(token);
            await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Unauthorized);
        }
    }

    [Test]
    public async Task Development_sign_in_does_not_exist_when_an_issuer_is_configured()
    {
        var browser = app.NewBrowser();
        var page = await browser.GetAsync("/dev/sign-in");
        await Assert.That(page.StatusCode).IsEqualTo(HttpStatusCode.NotFound);

        var token = await browser.PostJsonAsync("/api/dev/token", new { userId = "x", email = "x@example.test", role = "admin" });
        await Assert.That(token.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
        var error = (await Browser.JsonAsync(token)).GetProperty("error");
        await Assert.That(error.GetProperty("code").GetString()).IsEqualTo("not_found");
    }

    [Test]
    public async Task A_signed_out_page_request_goes_to_the_provider_s_sign_in()
    {
        var response = await app.NewBrowser().GetAsync($"{Home}?tab=1");
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Redirect);
        var location = response.Headers.Location!.ToString();
        await Assert.That(location).StartsWith(OidcAppFixture.SignInUrl + "?redirect_url=");
        await Assert.That(location).Contains(Uri.EscapeDataString($"{Home}?tab=1"));
    }

    [Test]
    public async Task A_signed_out_api_request_gets_401_in_the_envelope()
    {
        var response = await app.NewBrowser().GetAsync(SignedInUserModule.Path);
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Unauthorized);
        var error = (await Browser.JsonAsync(response)).GetProperty("error");
        await Assert.That(error.GetProperty("code").GetString()).IsEqualTo("unauthenticated");
    }
}
