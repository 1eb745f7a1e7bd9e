using System.Text.RegularExpressions;
using App.E2ETests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace App.E2ETests.Features.Operations;

/// <summary>/admin/health in Chromium: an admin reaches it from the header and sees the charts and the coaches; others are refused.</summary>
[ClassDataSource<BrowserFixture>(Shared = SharedType.PerTestSession)]
public sealed class HealthPageTests(BrowserFixture app)
{
    private const string WiderThanTheScreen = """
        () => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.closest('.table-scroll'))
            .map(el => el.tagName + '.' + el.className)
        """;

    [Test]
    public async Task An_admin_opens_the_health_page_from_the_header_and_sees_the_charts_and_the_coaches()
    {
        var account = (await app.Simulator.CreateUsersAsync(1))[0];
        await Flows.ConnectedCoachAsync(app, $"ops-coach-{Guid.NewGuid():N}"[..20], account.Uuid);
        var page = await app.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") errors.Add(message.Text); };
        await Flows.SignInAsync(page, $"ops-admin-{Guid.NewGuid():N}"[..20], "admin");

        await page.ClickAsync("nav >> text=Health");

        await Expect(page).ToHaveURLAsync(new Regex("/admin/health$"));
        await Expect(page.Locator("h1")).ToHaveTextAsync("Health");
        await Expect(page.Locator("figure.chart svg")).ToHaveCountAsync(5);
        await Expect(page.Locator("#chart-webhook-backlog figcaption")).ToContainTextAsync("waiting now");
        await Expect(page.Locator("table.coach-health tbody tr").First).ToBeVisibleAsync();
        // Drawn, not an empty box: connecting the coach called Calendly, so the attempts line has a point at the top.
        await Expect(page.Locator("#chart-calendly-calls svg")).ToBeVisibleAsync();
        await Expect(page.Locator("#chart-calendly-calls polyline.series-a")).ToHaveAttributeAsync("points", new Regex(",6\\b"));
        await Assert.That(errors).IsEmpty();

        await page.SetViewportSizeAsync(1280, 900);
        await BrowserFixture.ScreenshotAsync(page, "admin-health-1280");
        await page.SetViewportSizeAsync(390, 844);
        await BrowserFixture.ScreenshotAsync(page, "admin-health-390");
        // At phone width the page does not scroll sideways (the coach table scrolls within its card).
        await Assert.That(await page.EvaluateAsync<string[]>(WiderThanTheScreen)).IsEmpty();
    }

    [Test]
    public async Task A_coach_is_refused_and_sees_no_link()
    {
        var page = await app.NewPageAsync();
        await Flows.SignInAsync(page, $"ops-coach-{Guid.NewGuid():N}"[..20], "coach");
        await Expect(page.Locator("nav >> text=Health")).ToHaveCountAsync(0);

        var response = await page.GotoAsync("/admin/health");

        await Assert.That(response!.Status).IsEqualTo(403);
        await Expect(page.Locator("h1")).ToContainTextAsync("For admins only");
    }
}
