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
}
