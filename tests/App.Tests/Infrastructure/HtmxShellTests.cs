using System.Net;
using App.Tests.Support;

namespace App.Tests.Infrastructure;

[NeedsSlices("Dashboard")]
[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed class HtmxShellTests(AppFixture app)
{
    private async Task<Browser> SignedInAsync()
    {
        var browser = app.NewBrowser();
        await browser.SignInAsync($"shell-{Guid.NewGuid():N}"[..16], "shell@example.test", "coach");
        return browser;
    }

    [Test]
    public async Task The_dashboard_is_a_full_page_with_htmx_the_banner_toasts_and_the_token()
    {
        var response = await (await SignedInAsync()).GetAsync("/dashboard");
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        var html = await response.Content.ReadAsStringAsync();
        await Assert.That(html).Contains("<html");
        await Assert.That(html).Contains("src=\"/lib/htmx/htmx.min.js\"");
        await Assert.That(html).Contains("Simulated Calendly: data is not real");
        await Assert.That(html).Contains("id=\"toasts\"");
        await Assert.That(html).Contains("class=\"htmx-indicator\"");
        await Assert.That(html).Contains("hx-headers='{\"X-CSRF-TOKEN\": \"");
        await Assert.That(html).Contains("\"responseHandling\"");
        await Assert.That(html).Contains("id=\"dashboard-panel\"");
    }

    [Test]
    public async Task An_htmx_request_gets_the_fragment_only()
    {
        var response = await (await SignedInAsync()).GetAsync("/dashboard", htmx: true);
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        var html = await response.Content.ReadAsStringAsync();
        await Assert.That(html).DoesNotContain("<html");
        await Assert.That(html).DoesNotContain("Simulated Calendly");
        await Assert.That(html).Contains("id=\"dashboard-panel\"");
        await Assert.That(response.Headers.Vary.ToString()).Contains("HX-Request");
    }

    [Test]
    public async Task A_history_restore_gets_the_full_page()
    {
        var browser = await SignedInAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, "/dashboard");
        request.Headers.Add("HX-History-Restore-Request", "true");
        var response = await browser.SendAsync(request, htmx: true);
        await Assert.That(await response.Content.ReadAsStringAsync()).Contains("<html");
    }

    [Test]
    public async Task An_expired_session_in_an_htmx_request_leaves_the_page_for_sign_in()
    {
        var response = await app.NewBrowser().GetAsync("/dashboard", htmx: true);
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Unauthorized);
        await Assert.That(response.Headers.GetValues("HX-Redirect").Single()).Contains("/dev/sign-in");
    }

    [Test]
    public async Task Htmx_and_the_site_assets_are_served_from_wwwroot()
    {
        var browser = app.NewBrowser();
        var htmx = await browser.GetAsync("/lib/htmx/htmx.min.js");
        await Assert.That(htmx.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(await htmx.Content.ReadAsStringAsync()).Contains("htmx");
        await Assert.That((await browser.GetAsync("/js/site.js")).StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That((await browser.GetAsync("/css/site.css")).StatusCode).IsEqualTo(HttpStatusCode.OK);
    }

    [Test]
    public async Task The_sign_in_page_carries_an_anti_forgery_field()
    {
        var html = await (await app.NewBrowser().GetAsync("/dev/sign-in")).Content.ReadAsStringAsync();
        await Assert.That(html).Contains("name=\"__RequestVerificationToken\"");
        await Assert.That(html).Contains("<option value=\"realtor\"");
    }
}
