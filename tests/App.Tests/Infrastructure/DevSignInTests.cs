using App.Infrastructure.Web;
using System.Net;
using App.Infrastructure.Auth;
using App.Tests.Support;
using Dapper;

namespace App.Tests.Infrastructure;

[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed class DevSignInTests(AppFixture app)
{
    /// <summary>The home page (Dashboard's, in this app): where sign-in and connecting lead.</summary>
    private static readonly string Home = PageContributions.Home.Href;

    private static string NewId() => $"user-{Guid.NewGuid():N}"[..20];

    [Test]
    public async Task A_signed_out_page_request_is_sent_to_sign_in_and_comes_back()
    {
        var response = await app.NewBrowser().GetAsync(Home);
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Redirect);
        await Assert.That(response.Headers.Location!.ToString()).Contains($"/dev/sign-in?ReturnUrl={Uri.EscapeDataString(Home)}");
    }

    [Test]
    public async Task Signing_in_with_the_form_sets_a_cookie_that_opens_the_home_page()
    {
        var browser = app.NewBrowser();
        var id = NewId();
        await browser.SignInAsync(id, $"{id}@example.test", "coach", "Europe/Paris");

        await Assert.That(browser.HasCookie(AuthSetup.DevCookieName)).IsTrue();
        var home = await browser.GetAsync(Home);
        await Assert.That(home.StatusCode).IsEqualTo(HttpStatusCode.OK);
        var html = await home.Content.ReadAsStringAsync();
        await Assert.That(html).Contains($"{id}@example.test");
        await Assert.That(html).Contains("Europe/Paris");
    }

    [Test]
    public async Task A_blank_time_zone_signs_in_with_UTC_as_a_browser_without_scripts_sends_it()
    {
        var browser = app.NewBrowser();
        var id = NewId();
        // The field is filled in by a script that detects the zone; without scripts it is posted empty.
        await browser.SignInAsync(id, $"{id}@example.test", "realtor", "");

        var me = (await Browser.JsonAsync(await browser.GetAsync(SignedInUserModule.Path))).GetProperty("data");
        await Assert.That(me.GetProperty("timeZone").GetString()).IsEqualTo("UTC");
    }

    [Test]
    public async Task The_first_authenticated_request_creates_the_users_row()
    {
        var browser = app.NewBrowser();
        var id = NewId();
        await browser.SignInAsync(id, $"{id}@example.test", "realtor", "America/New_York");
        await browser.GetAsync(Home);

        await using var db = await app.Database.OpenAsync();
        var row = await db.QuerySingleAsync<(string Email, string Role, string TimeZone)>(
            "select email, role, time_zone from users where external_id = @id", new { id });
        await Assert.That(row.Email).IsEqualTo($"{id}@example.test");
        await Assert.That(row.Role).IsEqualTo("realtor");
        await Assert.That(row.TimeZone).IsEqualTo("America/New_York");
    }

    [Test]
    public async Task A_new_role_from_the_identity_updates_the_same_row()
    {
        var id = NewId();
        var first = app.NewBrowser();
        first.Bearer = await TokenAsync(id, "realtor");
        var before = await Browser.JsonAsync(await first.GetAsync(SignedInUserModule.Path));
        var second = app.NewBrowser();
        second.Bearer = await TokenAsync(id, "coach");
        var after = await Browser.JsonAsync(await second.GetAsync(SignedInUserModule.Path));

        await Assert.That(after.GetProperty("data").GetProperty("id").GetInt64())
            .IsEqualTo(before.GetProperty("data").GetProperty("id").GetInt64());
        await Assert.That(after.GetProperty("data").GetProperty("role").GetString()).IsEqualTo("coach");
    }

    [Test]
    public async Task An_invalid_sign_in_form_is_shown_again_with_its_errors()
    {
        var browser = app.NewBrowser();
        var token = await browser.AntiforgeryTokenFromAsync("/dev/sign-in");
        var response = await browser.PostFormAsync("/dev/sign-in", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["userId"] = "has spaces", ["email"] = "nope", ["role"] = "owner",
        });

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.UnprocessableEntity).Because(await response.Content.ReadAsStringAsync());
        var html = await response.Content.ReadAsStringAsync();
        await Assert.That(html).Contains("may contain letters, digits");
        await Assert.That(html).Contains("must be an email address");
        await Assert.That(html).Contains("must be one of coach, realtor, admin");
        await Assert.That(browser.HasCookie(AuthSetup.DevCookieName)).IsFalse();
    }

    [Test]
    public async Task A_sign_in_form_without_the_anti_forgery_token_is_refused()
    {
        var browser = app.NewBrowser();
        var response = await browser.PostFormAsync("/dev/sign-in", new Dictionary<string, string>
        {
            ["userId"] = NewId(), ["email"] = "a@example.test", ["role"] = "coach",
        });
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(browser.HasCookie(AuthSetup.DevCookieName)).IsFalse();
    }

    [Test]
    public async Task Sign_in_never_redirects_off_site()
    {
        var browser = app.NewBrowser();
        var token = await browser.AntiforgeryTokenFromAsync("/dev/sign-in");
        var response = await browser.PostFormAsync("/dev/sign-in", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["userId"] = NewId(), ["email"] = "a@example.test",
            ["role"] = "coach", ["returnUrl"] = "//evil.example.test/steal",
        });
        await Assert.That(response.Headers.Location!.ToString()).IsEqualTo(Home);
    }

    [Test]
    public async Task A_dev_token_is_accepted_as_a_bearer_token()
    {
        var id = NewId();
        var browser = app.NewBrowser();
        browser.Bearer = await TokenAsync(id, "coach");

        var me = await browser.GetAsync(SignedInUserModule.Path);
        await Assert.That(me.StatusCode).IsEqualTo(HttpStatusCode.OK);
        var body = await Browser.JsonAsync(me);
        await Assert.That(body.GetProperty("data").GetProperty("externalId").GetString()).IsEqualTo(id);
        await Assert.That(body.GetProperty("error").ValueKind).IsEqualTo(System.Text.Json.JsonValueKind.Null);
    }

    [Test]
    public async Task A_dev_token_answers_with_its_expiry_in_UTC()
    {
        var response = await app.NewBrowser().PostJsonAsync("/api/dev/token",
            new { userId = NewId(), email = "t@example.test", role = "admin" });
        var data = (await Browser.JsonAsync(response)).GetProperty("data");
        var expiresAt = data.GetProperty("expiresAt").GetString()!;
        await Assert.That(expiresAt).EndsWith("Z");
        await Assert.That(DateTimeOffset.Parse(expiresAt, System.Globalization.CultureInfo.InvariantCulture))
            .IsGreaterThan(DateTimeOffset.UtcNow.AddHours(7));
    }

    [Test]
    public async Task A_token_signed_with_another_key_is_refused()
    {
        var forged = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(
            new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
            {
                Issuer = DevTokens.Issuer,
                Audience = DevTokens.Audience,
                Claims = new Dictionary<string, object> { ["sub"] = "mallory", ["role"] = "admin" },
                SigningCredentials = new(new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(new byte[64]),
                    Microsoft.IdentityModel.Tokens.SecurityAlgorithms.HmacSha256),
            });
        var browser = app.NewBrowser();
        browser.Bearer = forged;
        var response = await browser.GetAsync(SignedInUserModule.Path);
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task Another_host_on_the_same_database_accepts_the_token()
    {
        var token = await TokenAsync(NewId(), "coach");
        await using var second = await AppHost.StartAsync(app.Database.ConnectionString);
        var browser = new Browser(second.Server.CreateClient()) { Bearer = token };
        var response = await browser.GetAsync(SignedInUserModule.Path);
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
    }

    [Test]
    public async Task A_cookie_authenticated_post_needs_the_anti_forgery_token()
    {
        var browser = app.NewBrowser();
        await browser.SignInAsync(NewId(), "c@example.test", "coach");

        var refused = await browser.PostJsonAsync("/api/dev/token", new { userId = NewId(), email = "x@example.test", role = "admin" });
        await Assert.That(refused.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        var error = (await Browser.JsonAsync(refused)).GetProperty("error");
        await Assert.That(error.GetProperty("code").GetString()).IsEqualTo("antiforgery_failed");

        var token = await browser.AntiforgeryTokenAsync();
        var accepted = await browser.PostJsonAsync("/api/dev/token", new { userId = NewId(), email = "x@example.test", role = "admin" }, token);
        await Assert.That(accepted.StatusCode).IsEqualTo(HttpStatusCode.OK);
    }

    [Test]
    public async Task Signing_out_ends_the_session()
    {
        var browser = app.NewBrowser();
        await browser.SignInAsync(NewId(), "s@example.test", "coach");
        var token = await browser.AntiforgeryTokenAsync();

        var response = await browser.PostFormAsync("/dev/sign-out", new Dictionary<string, string> { ["__RequestVerificationToken"] = token });
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Redirect);
        await Assert.That((await browser.GetAsync(Home)).StatusCode).IsEqualTo(HttpStatusCode.Redirect);
    }

    [Test]
    public async Task A_name_given_on_the_form_is_the_user_s_name_trimmed()
    {
        var browser = app.NewBrowser();
        var id = NewId();
        await browser.SignInAsync(id, $"{id}@example.test", "realtor", name: "  Alex Morgan ");

        await Assert.That(await NameAsync(browser)).IsEqualTo("Alex Morgan");
        await Assert.That(await StoredNameAsync(id)).IsEqualTo("Alex Morgan");
    }

    [Test]
    public async Task A_name_given_to_the_token_api_is_the_user_s_name()
    {
        var id = NewId();
        var browser = app.NewBrowser();
        browser.Bearer = await TokenAsync(id, "realtor", "Jo Ellis");

        await Assert.That(await NameAsync(browser)).IsEqualTo("Jo Ellis");
        await Assert.That(await StoredNameAsync(id)).IsEqualTo("Jo Ellis");
    }

    [Test]
    [Arguments(null)]
    [Arguments("   ")]
    public async Task Without_a_name_the_email_s_local_part_stands_in_and_nothing_is_stored(string? name)
    {
        var id = NewId();
        var response = await app.NewBrowser().PostJsonAsync("/api/dev/token", new { userId = id, email = "pat.lee@example.test", role = "realtor", name });
        var browser = app.NewBrowser();
        browser.Bearer = (await Browser.JsonAsync(response)).GetProperty("data").GetProperty("token").GetString();

        await Assert.That(await NameAsync(browser)).IsEqualTo("pat.lee");
        await Assert.That(await StoredNameAsync(id)).IsNull();
    }

    [Test]
    public async Task A_changed_name_shows_at_once_in_every_session_and_a_sign_in_without_one_keeps_it()
    {
        var id = NewId();
        var unnamed = app.NewBrowser();
        unnamed.Bearer = await TokenAsync(id, "realtor");
        await Assert.That(await NameAsync(unnamed)).IsEqualTo(id);

        var named = app.NewBrowser();
        named.Bearer = await TokenAsync(id, "realtor", "Sam Park");
        await Assert.That(await NameAsync(named)).IsEqualTo("Sam Park");
        // The session without a name had its row cached with none: that copy is evicted, not shown for minutes.
        await Assert.That(await NameAsync(unnamed)).IsEqualTo("Sam Park");

        var renamed = app.NewBrowser();
        renamed.Bearer = await TokenAsync(id, "realtor", "Sam Park-Lee");
        await Assert.That(await NameAsync(renamed)).IsEqualTo("Sam Park-Lee");
        await Assert.That(await NameAsync(unnamed)).IsEqualTo("Sam Park-Lee");

        var again = app.NewBrowser();
        again.Bearer = await TokenAsync(id, "realtor");
        await Assert.That(await NameAsync(again)).IsEqualTo("Sam Park-Lee");
        await Assert.That(await StoredNameAsync(id)).IsEqualTo("Sam Park-Lee");
    }

    [Test]
    public async Task A_name_of_100_characters_is_accepted()
    {
        var id = NewId();
        var browser = app.NewBrowser();
        browser.Bearer = await TokenAsync(id, "realtor", new string('n', 100));
        await Assert.That(await NameAsync(browser)).IsEqualTo(new string('n', 100));
    }

    [Test]
    [Arguments("too long", "must be at most 100 characters.")]
    [Arguments("with a line break", "must not contain control characters.")]
    public async Task A_bad_name_is_refused_by_the_token_api_naming_it(string kind, string message)
    {
        var name = kind == "too long" ? new string('n', 101) : "Line\nbreak";
        var response = await app.NewBrowser().PostJsonAsync("/api/dev/token",
            new { userId = NewId(), email = "n@example.test", role = "realtor", name });

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        var error = (await Browser.JsonAsync(response)).GetProperty("error");
        await Assert.That(error.GetProperty("code").GetString()).IsEqualTo("validation_failed");
        await Assert.That(error.GetProperty("details").GetProperty("name")[0].GetString()).IsEqualTo(message);
    }

    [Test]
    public async Task A_name_too_long_shows_the_form_again_with_what_was_typed()
    {
        var browser = app.NewBrowser();
        var token = await browser.AntiforgeryTokenFromAsync("/dev/sign-in");
        var tooLong = new string('n', 101);
        var response = await browser.PostFormAsync("/dev/sign-in", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["userId"] = NewId(), ["name"] = tooLong, ["email"] = "a@example.test", ["role"] = "realtor",
        });

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.UnprocessableEntity);
        var html = await response.Content.ReadAsStringAsync();
        await Assert.That(html).Contains("must be at most 100 characters.");
        await Assert.That(html).Contains($"value=\"{tooLong}\"");
        await Assert.That(browser.HasCookie(AuthSetup.DevCookieName)).IsFalse();
    }

    private static async Task<string?> NameAsync(Browser browser) =>
        (await Browser.JsonAsync(await browser.GetAsync(SignedInUserModule.Path))).GetProperty("data").GetProperty("name").GetString();

    private async Task<string?> StoredNameAsync(string externalId)
    {
        await using var db = await app.Database.OpenAsync();
        return await db.QuerySingleAsync<string?>("select name from users where external_id = @externalId", new { externalId });
    }

    private async Task<string> TokenAsync(string userId, string role, string? name = null)
    {
        var response = await app.NewBrowser().PostJsonAsync("/api/dev/token", new { userId, email = $"{userId}@example.test", role, name });
        return (await Browser.JsonAsync(response)).GetProperty("data").GetProperty("token").GetString()!;
    }
}
