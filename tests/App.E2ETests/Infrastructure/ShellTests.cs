using App.E2ETests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace App.E2ETests.Infrastructure;

[NeedsSlices("Dashboard")]
[ClassDataSource<BrowserFixture>(Shared = SharedType.PerTestSession)]
public sealed class ShellTests(BrowserFixture app)
{
    private static async Task SignInAsync(IPage page, string userId)
    {
        await page.GotoAsync("/dashboard");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/dev/sign-in"));
        await BrowserFixture.ScreenshotAsync(page, "sign-in");
        await page.FillAsync("input[name=userId]", userId);
        await page.FillAsync("input[name=email]", $"{userId}@example.test");
        await page.SelectOptionAsync("select[name=role]", "coach");
        await page.ClickAsync("button[type=submit]");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/dashboard$"));
    }

    [Test]
    public async Task A_person_signs_in_and_lands_on_the_dashboard_with_htmx_loaded()
    {
        var page = await app.NewPageAsync();
        await SignInAsync(page, "e2e-coach");

        await Expect(page.Locator("#dashboard-panel")).ToContainTextAsync("Welcome, e2e-coach");
        // site.js filled the time zone from the browser (the context runs in Europe/Paris).
        await Expect(page.Locator("#zone-picker summary")).ToContainTextAsync("Europe/Paris");
        await Expect(page.Locator(".banner")).ToContainTextAsync("Simulated Calendly: data is not real");
        var version = await page.EvaluateAsync<string>("() => window.htmx ? htmx.version : 'missing'");
        await Assert.That(version).StartsWith("2.");
    }

    [Test]
    public async Task The_panel_fetched_again_swaps_in_place_without_reloading_the_page()
    {
        var page = await app.NewPageAsync();
        await SignInAsync(page, "e2e-refresh");
        await page.EvaluateAsync("() => { window.sameDocument = true; document.getElementById('dashboard-panel').dataset.old = '1'; }");

        // As its live update does: the panel's own request, answered with the fragment alone.
        await page.EvaluateAsync("() => htmx.ajax('GET', '/dashboard', { source: '#dashboard-panel', target: '#dashboard-panel', swap: 'outerHTML' })");

        await Expect(page.Locator("#dashboard-panel")).Not.ToHaveAttributeAsync("data-old", "1");
        await Assert.That(await page.EvaluateAsync<bool>("() => window.sameDocument === true")).IsTrue();
        await Assert.That(await page.Locator("html").CountAsync()).IsEqualTo(1);
    }

    [Test]
    public async Task A_failed_htmx_request_shows_the_error_as_a_toast_and_leaves_the_page_alone()
    {
        var page = await app.NewPageAsync();
        await SignInAsync(page, "e2e-toast");

        await page.EvaluateAsync("() => htmx.ajax('GET', '/api/no-such-route', { target: '#dashboard-panel', swap: 'outerHTML' })");

        await Expect(page.Locator("#toasts .toast.error")).ToContainTextAsync("There is nothing at this address.");
        await BrowserFixture.ScreenshotAsync(page, "dashboard-with-error-toast");
        await Expect(page.Locator("#dashboard-panel")).ToContainTextAsync("Welcome, e2e-toast");
    }
}
