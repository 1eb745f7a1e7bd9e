using App.Infrastructure.Web;
using System.Text.RegularExpressions;
using App.E2ETests.Support;
using static Microsoft.Playwright.Assertions;

namespace App.E2ETests.Features.Scheduled;

[ClassDataSource<BrowserFixture>(Shared = SharedType.PerTestSession)]
public sealed class SessionsPageTests(BrowserFixture app)
{
    /// <summary>The next weekday (from tomorrow) at this UTC hour: inside a fresh simulated account's 9–5 UTC working hours.</summary>
    private static DateTimeOffset NextWeekdayAt(int hour)
    {
        var day = DateTimeOffset.UtcNow.Date.AddDays(1);
        while (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) day = day.AddDays(1);
        return new DateTimeOffset(day.AddHours(hour), TimeSpan.Zero);
    }

    [Test]
    public async Task A_coach_filters_the_list_with_the_url_in_step_and_cancels_a_session_in_place()
    {
        var account = (await app.Simulator.CreateUsersAsync(1))[0];
        var page = await app.NewPageAsync();
        await page.GotoAsync("/dev/sign-in");
        var userId = $"e2e-sessions-{Guid.NewGuid():N}"[..24];
        await page.FillAsync("input[name=userId]", userId);
        await page.FillAsync("input[name=email]", $"{userId}@example.test");
        await page.ClickAsync("button[type=submit]");
        await Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(PageContributions.Home.Href) + "$"));

        // Connect this account (the consent page lists only the first accounts, so the decision is posted directly).
        var start = await page.APIRequest.GetAsync("/api/calendly/oauth/connect", new() { MaxRedirects = 0 });
        var callback = await app.Simulator.ConsentAsync(new Uri(start.Headers["location"]), allow: true, account.Uuid);
        await page.GotoAsync(callback.PathAndQuery);
        await app.Simulator.BookAsync(account.EventTypes[0], NextWeekdayAt(10), "ada@example.test");
        await app.Simulator.BookAsync(account.EventTypes[0], NextWeekdayAt(11), "ben@example.test");

        await page.GotoAsync("/sessions");
        var rows = page.Locator("#sessions-list tbody tr");
        await Expect(rows).ToHaveCountAsync(2);

        // Filtering swaps the list and keeps the address bar in step, so the view can be bookmarked.
        await page.SelectOptionAsync("select[name=status]", "canceled");
        await Expect(page).ToHaveURLAsync(new Regex(@"/sessions\?status=canceled$"));
        await Expect(page.Locator("#sessions-list")).ToContainTextAsync("No sessions match these filters.");
        await page.SelectOptionAsync("select[name=sort]", "startTime:desc");
        await page.SelectOptionAsync("select[name=status]", "");
        await Expect(page).ToHaveURLAsync(new Regex(@"/sessions\?sort=startTime%3Adesc$"));
        await Expect(rows.First).ToContainTextAsync("ben@example.test");

        // Cancelling asks for a reason in place, then the row shows the cancellation without a reload.
        var ben = rows.First;
        await ben.Locator("summary", new() { HasText = "Cancel…" }).ClickAsync();
        await ben.Locator("textarea[name=reason]").FillAsync("Coach is ill");
        await ben.Locator("button", new() { HasText = "Cancel this session" }).ClickAsync();
        await Expect(page.Locator("#toasts")).ToContainTextAsync("The session is canceled.");
        await Expect(rows.First).ToContainTextAsync("Canceled");
        await Expect(rows.First).ToContainTextAsync("Coach is ill");
        await Expect(rows.Nth(1).Locator("summary", new() { HasText = "Cancel…" })).ToBeVisibleAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/sessions\?sort=startTime%3Adesc$"));
        await BrowserFixture.ScreenshotAsync(page, "sessions-canceled");

        // The same URL loaded cold shows the same list.
        await page.ReloadAsync();
        await Expect(page.Locator("select[name=sort]")).ToHaveValueAsync("startTime:desc");
        await Expect(rows.First).ToContainTextAsync("Coach is ill");
    }
}
