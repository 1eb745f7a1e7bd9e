using System.Text.RegularExpressions;
using App.E2ETests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace App.E2ETests.Features.Availability;

/// <summary>The /availability page in Chromium: the week rendered by the page, the event types loaded by htmx.</summary>
[ClassDataSource<BrowserFixture>(Shared = SharedType.PerTestSession)]
public sealed class AvailabilityPageTests(BrowserFixture app)
{
    private async Task<IPage> ConnectedCoachAsync() =>
        await Flows.ConnectedCoachAsync(app, $"e2e-{Guid.NewGuid():N}"[..20], (await app.Simulator.CreateUsersAsync(1))[0].Uuid);

    [Test]
    public async Task A_coach_sees_their_weekly_hours_and_their_event_types_on_one_page()
    {
        var page = await ConnectedCoachAsync();

        await page.ClickAsync("nav >> text=Availability");

        var schedules = page.Locator("#availability-schedules");
        await Expect(schedules).ToContainTextAsync("Working Hours (default)");
        await Expect(schedules.Locator("tr", new() { HasText = "Monday" })).ToContainTextAsync("09:00–17:00");
        await Expect(schedules.Locator("tr", new() { HasText = "Sunday" })).ToContainTextAsync("Unavailable");
        // htmx replaced the fallback link with the event types list.
        await Expect(page.Locator("#event-types")).ToContainTextAsync("30 Minute Meeting");
        await Expect(page.Locator("#event-types")).ToContainTextAsync("Group Session");
        await Expect(page.Locator("#event-types >> text=Your event types")).ToHaveCountAsync(0);
        // Each event type reads from the left, next to its colour dot, not floated to the middle of the row.
        await page.SetViewportSizeAsync(1280, 900);
        var row = await page.Locator("#event-type-list > li").First.BoundingBoxAsync();
        var name = await page.Locator("#event-type-list > li strong").First.BoundingBoxAsync();
        await Assert.That(name!.X - row!.X).IsLessThan(60);
        await BrowserFixture.ScreenshotAsync(page, "availability");
    }

    [Test]
    [NeedsSlices("EventTypes")]
    public async Task Load_more_appends_the_next_page_of_event_types_in_place()
    {
        var page = await ConnectedCoachAsync();
        await page.GotoAsync("/event-types?count=1");
        var items = page.Locator("#event-type-list > li:not(.load-more)");
        await Expect(items).ToHaveCountAsync(1);

        await page.ClickAsync("text=Load more");

        await Expect(items).ToHaveCountAsync(2);
        await Expect(page.Locator("#event-type-list")).ToContainTextAsync("Group Session");
        await Expect(page.Locator(".load-more")).ToHaveCountAsync(0);
        await Expect(page).ToHaveURLAsync(new Regex("/event-types\\?count=1$"));
    }
}
