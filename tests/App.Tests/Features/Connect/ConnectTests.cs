using App.Infrastructure.Web;
using System.Net;
using App.Features.Connect;
using App.Tests.Support;
using Dapper;

namespace App.Tests.Features.Connect;

[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed class ConnectTests(AppFixture app)
{
    /// <summary>The home page (Dashboard's, in this app): where sign-in and connecting lead.</summary>
    private static readonly string Home = PageContributions.Home.Href;

    private static string NewId() => $"coach-{Guid.NewGuid():N}"[..20];

    private async Task<(Browser Browser, long UserId)> CoachAsync(string role = "coach")
    {
        var browser = app.NewBrowser();
        var id = NewId();
        await browser.SignInAsync(id, $"{id}@example.test", role);
        return (browser, await SignedInUserModule.UserIdAsync(browser));
    }

    /// <summary>
    /// Starts the flow in the app and follows it to Calendly's (the simulator's) consent page and back, granting a
    /// Calendly account of its own (tests run in parallel, and an account can be connected to one user only).
    /// </summary>
    private async Task<HttpResponseMessage> ConnectAsync(Browser browser, bool allow = true, string? accountUuid = null)
    {
        accountUuid ??= (await app.Simulator.CreateUsersAsync(1))[0].Uuid;
        var start = await browser.GetAsync("/api/calendly/oauth/connect");
        await Assert.That(start.StatusCode).IsEqualTo(HttpStatusCode.Redirect);
        var callback = await app.Simulator.ConsentAsync(start.Headers.Location!, allow, accountUuid);
        return await browser.GetAsync(callback.PathAndQuery);
    }

    private async Task<int> IntegrationCount(long userId)
    {
        await using var db = await app.Database.OpenAsync();
        return await db.ExecuteScalarAsync<int>("select count(*) from calendly_integrations where user_id = @userId", new { userId });
    }

    [Test]
    public async Task Connect_redirects_to_Calendly_s_authorize_page_with_state_and_PKCE()
    {
        var (browser, _) = await CoachAsync();
        var response = await browser.GetAsync("/api/calendly/oauth/connect");
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Redirect);
        var location = response.Headers.Location!.ToString();
        await Assert.That(location).StartsWith(app.Simulator.BaseUrl + "/oauth/authorize?");
        await Assert.That(location).Contains("code_challenge_method=S256");
        await Assert.That(location).Contains("code_challenge=");
        await Assert.That(location).Contains("state=");
        await Assert.That(location).Contains("response_type=code");
        await Assert.That(location).Contains(Uri.EscapeDataString(SimulatorServer.AppBaseUrl + ConnectModule.CallbackPath));
    }

    [Test]
    public async Task A_coach_who_allows_access_is_connected_with_encrypted_tokens()
    {
        var (browser, userId) = await CoachAsync();
        var callback = await ConnectAsync(browser);
        await Assert.That(callback.StatusCode).IsEqualTo(HttpStatusCode.Redirect);
        await Assert.That(callback.Headers.Location!.ToString()).IsEqualTo($"{Home}?notice=calendly-connected");

        await using var db = await app.Database.OpenAsync();
        var stored = await db.QuerySingleAsync<(string Status, string SchedulingUrl, string OrganizationUrl, string Access, string Refresh)>(
            "select status, scheduling_url, organization_url, access_token, refresh_token from calendly_integrations where user_id = @userId",
            new { userId });
        await Assert.That(stored.Status).IsEqualTo("active");
        await Assert.That(stored.SchedulingUrl).StartsWith(app.Simulator.BaseUrl);
        await Assert.That(stored.OrganizationUrl).Contains("/organizations/");
        await Assert.That(stored.Access).StartsWith("CfDJ8"); // Data Protection's payload header, not a Calendly token
        await Assert.That(stored.Refresh).StartsWith("CfDJ8");
    }

    [Test]
    public async Task Connecting_subscribes_to_the_coach_s_webhooks_at_once()
    {
        var (browser, userId) = await CoachAsync();
        await ConnectAsync(browser);

        await using var db = await app.Database.OpenAsync();
        var row = await db.QuerySingleAsync<(string WebhookState, string? WebhookSubscriptionUri)>(
            "select webhook_state, webhook_subscription_uri from calendly_integrations where user_id = @userId", new { userId });
        await Assert.That(row.WebhookState).IsEqualTo("active");
        await Assert.That(row.WebhookSubscriptionUri).Contains("/webhook_subscriptions/");
    }

    [Test]
    public async Task The_home_page_after_connecting_shows_the_notice()
    {
        var (browser, _) = await CoachAsync();
        await ConnectAsync(browser);
        var html = await (await browser.GetAsync($"{Home}?notice=calendly-connected")).Content.ReadAsStringAsync();
        await Assert.That(html).Contains("Calendly is connected.");
    }

    [Test]
    public async Task Denying_access_shows_a_clear_page_and_stores_nothing()
    {
        var (browser, userId) = await CoachAsync();
        var callback = await ConnectAsync(browser, allow: false);
        await Assert.That(callback.StatusCode).IsEqualTo(HttpStatusCode.Forbidden);
        await Assert.That(await callback.Content.ReadAsStringAsync()).Contains("You chose Deny");
        await Assert.That(await IntegrationCount(userId)).IsEqualTo(0);
    }

    [Test]
    public async Task A_tampered_state_is_refused_and_stores_nothing()
    {
        var (browser, userId) = await CoachAsync();
        var start = await browser.GetAsync("/api/calendly/oauth/connect");
        var callback = await app.Simulator.ConsentAsync(start.Headers.Location!);
        var tampered = System.Text.RegularExpressions.Regex.Replace(callback.PathAndQuery, "state=[^&]+", "state=forged");

        var response = await browser.GetAsync(tampered);
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(await response.Content.ReadAsStringAsync()).Contains("could not be verified");
        await Assert.That(await IntegrationCount(userId)).IsEqualTo(0);
    }

    [Test]
    public async Task A_callback_from_another_browser_is_refused()
    {
        var (victim, victimId) = await CoachAsync();
        var (attacker, _) = await CoachAsync();
        var start = await attacker.GetAsync("/api/calendly/oauth/connect");
        var callback = await app.Simulator.ConsentAsync(start.Headers.Location!);

        // The attacker's code and state, replayed in the victim's browser (login CSRF), connect nothing.
        var response = await victim.GetAsync(callback.PathAndQuery);
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(await IntegrationCount(victimId)).IsEqualTo(0);
    }

    [Test]
    public async Task A_Calendly_account_connects_to_one_user_only()
    {
        var account = (await app.Simulator.CreateUsersAsync(1))[0];
        var (first, _) = await CoachAsync();
        await ConnectAsync(first, accountUuid: account.Uuid);
        var (second, secondId) = await CoachAsync();

        var response = await ConnectAsync(second, accountUuid: account.Uuid);
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Conflict);
        await Assert.That(await response.Content.ReadAsStringAsync()).Contains("connected to another user");
        await Assert.That(await IntegrationCount(secondId)).IsEqualTo(0);
    }

    [Test]
    public async Task A_realtor_has_nothing_to_connect()
    {
        var (browser, _) = await CoachAsync("realtor");
        var response = await browser.GetAsync("/api/calendly/oauth/connect");
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Forbidden);
        await Assert.That(await response.Content.ReadAsStringAsync()).Contains("Only coaches connect Calendly");
    }

    [Test]
    public async Task A_signed_out_connect_goes_to_sign_in_not_json()
    {
        var response = await app.NewBrowser().GetAsync("/api/calendly/oauth/connect");
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Redirect);
        await Assert.That(response.Headers.Location!.ToString()).Contains("/dev/sign-in");
    }

    [Test]
    public async Task Disconnecting_revokes_the_tokens_and_deletes_the_connection()
    {
        var (browser, userId) = await CoachAsync();
        await ConnectAsync(browser);
        var token = await browser.AntiforgeryTokenAsync();

        var response = await browser.PostJsonAsync("/api/calendly/oauth/disconnect", new { }, token);
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That((await Browser.JsonAsync(response)).GetProperty("data").GetProperty("connected").GetBoolean()).IsFalse();
        await Assert.That(await IntegrationCount(userId)).IsEqualTo(0);
    }

    [Test]
    public async Task The_connection_card_s_form_disconnects_with_htmx_and_without_it()
    {
        foreach (var htmx in new[] { true, false })
        {
            var (browser, userId) = await CoachAsync();
            await ConnectAsync(browser);
            var token = await browser.AntiforgeryTokenAsync();

            var response = await browser.PostFormAsync("/calendly/disconnect", new Dictionary<string, string> { ["__RequestVerificationToken"] = token }, htmx);

            await Assert.That(await IntegrationCount(userId)).IsEqualTo(0);
            if (htmx)
            {
                // The card reloads itself on the trigger; the toast says what happened.
                await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.NoContent);
                var triggers = string.Join(" ", response.Headers.GetValues("HX-Trigger"));
                await Assert.That(triggers).Contains("calendly-connection-changed");
                await Assert.That(triggers).Contains("Calendly is disconnected.");
            }
            else
            {
                await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Redirect);
                await Assert.That(response.Headers.Location!.ToString()).IsEqualTo($"{Home}?notice=calendly-disconnected");
                var home = await (await browser.GetAsync($"{Home}?notice=calendly-disconnected")).Content.ReadAsStringAsync();
                await Assert.That(home).Contains("Calendly is disconnected.");
            }
        }
    }
}
