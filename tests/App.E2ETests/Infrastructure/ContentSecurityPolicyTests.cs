using App.E2ETests.Support;
using Microsoft.Playwright;

namespace App.E2ETests.Infrastructure;

/// <summary>
/// Every page a coach, a realtor and an admin open, with the app's Content-Security-Policy in force: Chromium reports
/// each thing the policy blocks (an inline script or style, eval, a frame from elsewhere) in the console.
/// </summary>
[ClassDataSource<BrowserFixture>(Shared = SharedType.PerTestSession)]
public sealed class ContentSecurityPolicyTests(BrowserFixture app)
{
    [Test]
    [NeedsSlices("Account", "Availability", "Coaches", "Dashboard", "EventTypes", "FreeTimes", "NativeBooking", "Scheduled", "Status", "Webhooks")]
    public async Task No_page_breaks_the_content_security_policy()
    {
        var account = (await app.Simulator.CreateUsersAsync(1))[0];
        var coach = await Flows.ConnectedCoachAsync(app, $"csp-coach-{Guid.NewGuid():N}"[..20], account.Uuid);
        var (realtor, card) = await Flows.RealtorAtCoachCardAsync(app, $"csp-realtor-{Guid.NewGuid():N}"[..22], account.EventTypes[0]);
        var coachId = (await card.Locator("a[href*='/free-times']").First.GetAttributeAsync("href"))!.Split('/')[2];
        var admin = await app.NewPageAsync();
        await Flows.SignInAsync(admin, $"csp-admin-{Guid.NewGuid():N}"[..20], "admin");
        var violations = new List<string>();
        foreach (var page in new[] { coach, realtor, admin })
            page.Console += (_, message) =>
            {
                if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase) || message.Text.Contains("Refused to"))
                    violations.Add($"{page.Url}: {message.Text}");
            };

        foreach (var path in new[] { "/dashboard", "/sessions", "/availability", "/event-types", "/calendly/status", "/settings", "/no-such-page" })
            await VisitAsync(coach, path);
        foreach (var path in new[] { "/dashboard", "/coaches", "/sessions", "/settings", $"/coaches/{coachId}/free-times",
                     $"/coaches/{coachId}/book?eventTypeUri={Uri.EscapeDataString(account.EventTypes[0])}" })
            await VisitAsync(realtor, path);
        // The booking dialog over the week grid (the simulator's page framed), the form a free time opens, its confirmation.
        await VisitAsync(realtor, $"/coaches/{coachId}/free-times");
        await realtor.Locator(".week-grid a[href*='/book-a-time']").First.ClickAsync();
        await realtor.Locator("button[type=submit]", new() { HasText = "Book" }).ClickAsync();
        await realtor.Locator("a", new() { HasText = "Add to calendar" }).WaitForAsync();
        await realtor.WaitForLoadStateAsync(LoadState.NetworkIdle);
        foreach (var path in new[] { "/admin/webhooks", "/api/reference/" })
            await VisitAsync(admin, path);
        await admin.Locator("text=Calendly.Slices API").First.WaitForAsync();
        await admin.GotoAsync("/dev/sign-in");

        await Assert.That(violations).IsEmpty();
    }

    private static async Task VisitAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
    }
}
