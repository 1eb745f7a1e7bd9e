using System.Text.RegularExpressions;
using App.E2ETests.Support;
using static Microsoft.Playwright.Assertions;

namespace App.E2ETests.Features.Connect;

[ClassDataSource<BrowserFixture>(Shared = SharedType.PerTestSession)]
public sealed class ConnectFlowTests(BrowserFixture app)
{
    [Test]
    [NeedsSlices("Dashboard", "Status")]
    public async Task A_coach_connects_the_simulated_Calendly_through_its_consent_page_and_disconnects_it()
    {
        var page = await app.NewPageAsync();
        await page.GotoAsync("/dev/sign-in");
        await page.FillAsync("input[name=userId]", "e2e-connect");
        await page.FillAsync("input[name=email]", "e2e-connect@example.test");
        await page.ClickAsync("button[type=submit]");

        // The dashboard's connection card loads itself and offers to connect: the one offer on the page.
        await Expect(page.Locator("#calendly-status a", new() { HasText = "Connect Calendly" })).ToBeVisibleAsync();
        await Expect(page.GetByText("Connect Calendly")).ToHaveCountAsync(1);
        foreach (var width in new[] { 390, 1280 })
        {
            await page.SetViewportSizeAsync(width, 844);
            await BrowserFixture.ScreenshotAsync(page, $"dashboard-not-connected-{width}");
        }
        await page.ClickAsync("#calendly-status >> text=Connect Calendly");
        await Expect(page).ToHaveURLAsync(new Regex("^" + Regex.Escape(app.Simulator.BaseUrl) + "/oauth/authorize"));
        await Expect(page.Locator("h1")).ToContainTextAsync("Connect your Calendly account");
        await BrowserFixture.ScreenshotAsync(page, "simulator-consent");

        await page.ClickAsync("button[value=allow]");

        await Expect(page).ToHaveURLAsync(new Regex("/dashboard\\?notice=calendly-connected$"));
        await Expect(page.Locator("#toasts")).ToContainTextAsync("Calendly is connected.");
        await Expect(page.Locator("#calendly-status")).ToContainTextAsync("Connected");
        await BrowserFixture.ScreenshotAsync(page, "dashboard-connected");

        // Disconnecting asks first, then the card swaps itself back to the offer to connect; the page stays.
        await page.EvaluateAsync("() => window.stayedOnPage = true");
        await page.ClickAsync("#calendly-status >> summary:has-text('Disconnect…')");
        await page.ClickAsync("#calendly-status >> button:has-text('Disconnect Calendly')");
        await Expect(page.Locator("#toasts")).ToContainTextAsync("Calendly is disconnected.");
        await Expect(page.Locator("#calendly-status")).ToContainTextAsync("Connect Calendly");
        await Assert.That(await page.EvaluateAsync<bool>("() => window.stayedOnPage === true")).IsTrue();
    }
}
