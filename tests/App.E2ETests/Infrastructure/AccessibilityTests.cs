using App.E2ETests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace App.E2ETests.Infrastructure;

/// <summary>
/// Every page a coach or a realtor opens, checked in Chromium once its htmx fragments have loaded: a language, one h1,
/// a name for every control (label, aria-label or text), text for every image, a title for every frame, and focus that
/// reaches the first link.
/// </summary>
[ClassDataSource<BrowserFixture>(Shared = SharedType.PerTestSession)]
public sealed class AccessibilityTests(BrowserFixture app)
{
    // The controls and images a screen reader would announce without a name.
    private const string UnnamedScript = """
        () => {
            const named = el => (el.labels && el.labels.length > 0) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')
                || el.getAttribute('title') || (el.tagName === 'BUTTON' && el.textContent.trim()) || (el.tagName === 'A' && el.textContent.trim());
            const controls = [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button, a[href]')]
                .filter(el => el.offsetParent !== null || el.getClientRects().length > 0);
            return [
                ...controls.filter(el => !named(el)).map(el => el.outerHTML.slice(0, 120)),
                ...[...document.querySelectorAll('img:not([alt]), iframe:not([title])')].map(el => el.outerHTML.slice(0, 120)),
            ];
        }
        """;

    [Test]
    [NeedsSlices("Account", "Availability", "Coaches", "Dashboard", "EventTypes", "FreeTimes", "NativeBooking", "Scheduled", "Status")]
    public async Task Every_page_has_a_language_one_heading_and_a_name_for_every_control()
    {
        var account = (await app.Simulator.CreateUsersAsync(1))[0];
        var coach = await Flows.ConnectedCoachAsync(app, $"a11y-coach-{Guid.NewGuid():N}"[..20], account.Uuid);
        var (realtor, card) = await Flows.RealtorAtCoachCardAsync(app, $"a11y-realtor-{Guid.NewGuid():N}"[..22], account.EventTypes[0]);
        var coachId = await card.Locator("a[href*='/free-times']").First.GetAttributeAsync("href") is { } href
            ? href.Split('/')[2]
            : throw new InvalidOperationException("The coach's card has no link to their week.");

        var problems = new List<string>();
        foreach (var path in new[] { "/dashboard", "/sessions", "/availability", "/event-types", "/calendly/status", "/settings" })
            problems.AddRange(await ProblemsAsync(coach, path));
        foreach (var path in new[] { "/dashboard", "/coaches", "/sessions", "/settings", $"/coaches/{coachId}/free-times",
                     $"/coaches/{coachId}/book?eventTypeUri={Uri.EscapeDataString(account.EventTypes[0])}" })
            problems.AddRange(await ProblemsAsync(realtor, path));
        // The booking form a free time opens, and the confirmation booking it leads to.
        await realtor.GotoAsync($"/coaches/{coachId}/free-times");
        var bookTime = (await realtor.Locator(".week-grid a[href*='/book-a-time']").First.GetAttributeAsync("href"))!;
        problems.AddRange(await ProblemsAsync(realtor, bookTime));
        await realtor.Locator("button[type=submit]", new() { HasText = "Book" }).ClickAsync();
        var calendar = (await realtor.Locator("a", new() { HasText = "Add to calendar" }).GetAttributeAsync("href"))!;
        problems.AddRange(await ProblemsAsync(realtor, calendar.Replace("/calendar.ics", "")));

        await Assert.That(problems).IsEmpty();
    }

    private static async Task<IReadOnlyList<string>> ProblemsAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        var problems = new List<string>();
        if (string.IsNullOrEmpty(await page.Locator("html").GetAttributeAsync("lang"))) problems.Add($"{path}: no lang on <html>");
        if (await page.Locator("h1").CountAsync() != 1) problems.Add($"{path}: {await page.Locator("h1").CountAsync()} h1 elements");
        problems.AddRange((await page.EvaluateAsync<string[]>(UnnamedScript)).Select(html => $"{path}: unnamed {html}"));
        // The keyboard reaches the page: the first Tab lands on a link or control, not nowhere.
        await page.Keyboard.PressAsync("Tab");
        if (await page.EvaluateAsync<string>("() => document.activeElement?.tagName ?? ''") is "" or "BODY") problems.Add($"{path}: Tab focuses nothing");
        return problems;
    }
}
