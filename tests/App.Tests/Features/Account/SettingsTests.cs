using System.Net;
using App.Tests.Support;

namespace App.Tests.Features.Account;

[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed class SettingsTests(AppFixture app)
{
    private async Task<Browser> SignedInAsync(string timeZone = "UTC")
    {
        var browser = app.NewBrowser();
        var id = $"tz-{Guid.NewGuid():N}"[..20];
        await browser.SignInAsync(id, $"{id}@example.test", "realtor", timeZone);
        return browser;
    }

    private static async Task<string?> StoredTimeZoneAsync(Browser browser) =>
        (await Browser.JsonAsync(await browser.GetAsync("/api/me"))).GetProperty("data").GetProperty("timeZone").GetString();

    [Test]
    public async Task The_settings_page_selects_the_stored_time_zone()
    {
        var browser = await SignedInAsync("Asia/Tokyo");
        var html = await (await browser.GetAsync("/settings")).Content.ReadAsStringAsync();
        await Assert.That(html).Contains("<html");
        await Assert.That(html).Contains("<option value=\"Asia/Tokyo\" selected");
    }

    [Test]
    public async Task Saving_the_form_without_javascript_stores_the_time_zone_and_it_stays()
    {
        var browser = await SignedInAsync();
        var token = await browser.AntiforgeryTokenFromAsync("/settings");

        var response = await browser.PostFormAsync("/settings", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["timeZone"] = "America/Chicago",
        });

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Redirect);
        await Assert.That(response.Headers.Location!.ToString()).IsEqualTo("/settings?saved=true");
        // The session cookie still says UTC: the stored choice wins over the sign-in's time zone.
        await Assert.That(await StoredTimeZoneAsync(browser)).IsEqualTo("America/Chicago");
        await Assert.That(await StoredTimeZoneAsync(browser)).IsEqualTo("America/Chicago");
    }

    [Test]
    public async Task An_htmx_save_swaps_the_form_with_a_toast()
    {
        var browser = await SignedInAsync();
        var token = await browser.AntiforgeryTokenFromAsync("/settings");
        var response = await browser.PostFormAsync("/settings", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["timeZone"] = "Europe/Berlin",
        }, htmx: true);

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        var html = await response.Content.ReadAsStringAsync();
        await Assert.That(html).DoesNotContain("<html");
        await Assert.That(html).Contains("Saved: times are shown in Europe/Berlin");
        await Assert.That(response.Headers.GetValues("HX-Trigger").Single()).Contains("Europe/Berlin");
    }

    [Test]
    public async Task An_unknown_time_zone_is_shown_again_with_the_error()
    {
        var browser = await SignedInAsync();
        var token = await browser.AntiforgeryTokenFromAsync("/settings");
        var response = await browser.PostFormAsync("/settings", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["timeZone"] = "Mars/Olympus_Mons",
        });
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.UnprocessableEntity);
        await Assert.That(await response.Content.ReadAsStringAsync()).Contains("must be an IANA time zone");
        await Assert.That(await StoredTimeZoneAsync(browser)).IsEqualTo("UTC");
    }

    [Test]
    public async Task Programs_set_the_time_zone_through_the_api()
    {
        var browser = await ConnectedCoaches.SignedInAsync(app.Host, $"api-tz-{Guid.NewGuid():N}", "realtor");
        var bad = await browser.SendAsync(new HttpRequestMessage(HttpMethod.Put, "/api/me/time-zone")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { timeZone = "Nowhere" }),
        });
        await Assert.That(bad.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That((await Browser.JsonAsync(bad)).GetProperty("error").GetProperty("details").TryGetProperty("timeZone", out _)).IsTrue();

        var good = await browser.SendAsync(new HttpRequestMessage(HttpMethod.Put, "/api/me/time-zone")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { timeZone = "Australia/Sydney" }),
        });
        await Assert.That(good.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(await StoredTimeZoneAsync(browser)).IsEqualTo("Australia/Sydney");
    }

    /// <summary>The header's picker on every page offers the zone in force and the common ones, not ~400 options; the rest are a link away.</summary>
    [Test]
    public async Task The_header_picker_offers_a_short_list_and_links_to_every_zone()
    {
        var browser = await SignedInAsync("Africa/Abidjan");
        var html = await (await browser.GetAsync("/settings")).Content.ReadAsStringAsync();
        var start = html.IndexOf("id=\"zone-picker\"", StringComparison.Ordinal);
        var header = html[start..html.IndexOf("</details>", start, StringComparison.Ordinal)];

        await Assert.That(System.Text.RegularExpressions.Regex.Count(header, "<option ")).IsLessThanOrEqualTo(25);
        await Assert.That(header).Contains("<option value=\"Africa/Abidjan\" selected");
        await Assert.That(header).Contains("<option value=\"America/New_York\"");
        await Assert.That(header).Contains("href=\"/settings?returnUrl=%2Fsettings\"");
        // The settings form itself still lists every zone.
        await Assert.That(System.Text.RegularExpressions.Regex.Count(html, "<option ")).IsGreaterThan(300);
    }

    [Test]
    public async Task A_zone_chosen_on_the_settings_page_from_another_page_brings_the_person_back_there()
    {
        var browser = await SignedInAsync();
        var html = await (await browser.GetAsync("/settings?returnUrl=%2Fsessions%3Fstatus%3Dactive")).Content.ReadAsStringAsync();
        await Assert.That(html).Contains("<input type=\"hidden\" name=\"returnUrl\" value=\"/sessions?status=active\">");
        var token = await browser.AntiforgeryTokenFromAsync("/settings");

        var plain = await browser.PostFormAsync("/settings", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["timeZone"] = "Africa/Nairobi", ["returnUrl"] = "/sessions?status=active",
        });
        await Assert.That(plain.Headers.Location!.ToString()).IsEqualTo("/sessions?status=active&notice=time-zone-saved");

        var htmx = await browser.PostFormAsync("/settings", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["timeZone"] = "Africa/Cairo", ["returnUrl"] = "/sessions?status=active",
        }, htmx: true);
        await Assert.That(htmx.Headers.GetValues("HX-Redirect").Single()).IsEqualTo("/sessions?status=active&notice=time-zone-saved");
        await Assert.That(await StoredTimeZoneAsync(browser)).IsEqualTo("Africa/Cairo");

        // Another site is never a place to come back to.
        var foreign = await (await browser.GetAsync("/settings?returnUrl=%2F%2Fevil.example")).Content.ReadAsStringAsync();
        await Assert.That(foreign).DoesNotContain("name=\"returnUrl\" value=\"//evil.example\"");
    }
}
