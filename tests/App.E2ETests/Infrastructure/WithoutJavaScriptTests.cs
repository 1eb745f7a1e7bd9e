using System.Text.RegularExpressions;
using App.E2ETests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace App.E2ETests.Infrastructure;

/// <summary>
/// The pages in Chromium with scripts off: every job a form or a link can do still gets done (htmx only enhances them).
/// </summary>
[ClassDataSource<BrowserFixture>(Shared = SharedType.PerTestSession)]
public sealed class WithoutJavaScriptTests(BrowserFixture app)
{
    [Test]
    [NeedsSlices("Account", "Coaches", "FreeTimes", "NativeBooking", "Status")]
    public async Task A_coach_connects_Calendly_and_a_realtor_sets_their_time_zone_and_reads_the_coach_s_week_without_javascript()
    {
        var account = (await app.Simulator.CreateUsersAsync(1))[0];
        await Flows.ConnectedCoachAsync(app, $"nojs-coach-{Guid.NewGuid():N}"[..20], account.Uuid, javaScript: false);
        var page = await app.NewPageAsync(javaScript: false);
        await Flows.SignInAsync(page, $"nojs-realtor-{Guid.NewGuid():N}"[..22], "realtor");

        // The time zone select is a plain form: saving it reloads the page with the new zone.
        await page.GotoAsync("/settings");
        await page.SelectOptionAsync("#time-zone-form select[name=timeZone]", "America/Chicago");
        await page.Locator("#time-zone-form button[type=submit]").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/settings\?saved=true$"));
        await Expect(page.Locator("header")).ToContainTextAsync("America/Chicago");

        // A coach's card offers a link to their week where the week would load by itself.
        await page.GotoAsync("/coaches?count=100");
        var card = page.Locator("article.coach", new() { Has = page.Locator($"a[href*='{Uri.EscapeDataString(account.EventTypes[0])}']") });
        await card.Locator("a", new() { HasText = "free times this week" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/coaches/\d+/free-times"));
        await Expect(page.Locator("body")).ToContainTextAsync("Times in your time zone, America/Chicago");
        await Expect(page.Locator(".week-grid a").First).ToHaveAttributeAsync("href", new Regex("/book-a-time\\?"));
        await page.ClickAsync("text=Next week →");
        await Expect(page).ToHaveURLAsync(new Regex(@"week=\d{4}-\d{2}-\d{2}"));
        await Expect(page.Locator(".week-grid")).ToBeVisibleAsync();
    }

    [Test]
    [NeedsSlices("Dashboard", "Scheduled", "Cancel", "Status")]
    public async Task A_coach_filters_sessions_cancels_one_and_disconnects_without_javascript()
    {
        var account = (await app.Simulator.CreateUsersAsync(1))[0];
        var page = await app.NewPageAsync(javaScript: false);
        await Flows.SignInAsync(page, $"nojs-sessions-{Guid.NewGuid():N}"[..24], "coach");
        // The consent page lists only the first accounts, so the decision for this new one is posted directly.
        var start = await page.APIRequest.GetAsync("/api/calendly/oauth/connect", new() { MaxRedirects = 0 });
        var callback = await app.Simulator.ConsentAsync(new Uri(start.Headers["location"]), allow: true, account.Uuid);
        await page.GotoAsync(callback.PathAndQuery);
        var day = DateTimeOffset.UtcNow.Date.AddDays(1);
        while (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) day = day.AddDays(1);
        await app.Simulator.BookAsync(account.EventTypes[0], new DateTimeOffset(day.AddHours(10), TimeSpan.Zero), "cleo@example.test");

        // The filter form submits itself the old way: a GET that puts the filters in the address.
        await page.GotoAsync("/sessions");
        await page.SelectOptionAsync("select[name=status]", "canceled");
        await page.ClickAsync("form.filters >> button[type=submit]");
        await Expect(page).ToHaveURLAsync(new Regex(@"/sessions\?.*status=canceled"));
        await Expect(page.Locator("#sessions-list")).ToContainTextAsync("No sessions match these filters.");

        // Cancelling: the reason form opens without a script (details/summary) and posts, then the page comes back.
        await page.GotoAsync("/sessions");
        var row = page.Locator("#sessions-list tbody tr", new() { HasText = "cleo@example.test" });
        await row.Locator("summary", new() { HasText = "Cancel…" }).ClickAsync();
        await row.Locator("textarea[name=reason]").FillAsync("Double-booked");
        await row.Locator("button", new() { HasText = "Cancel this session" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/sessions\?.*notice=session-canceled"));
        await Expect(row).ToContainTextAsync("Canceled");
        await Expect(row).ToContainTextAsync("Double-booked");

        // Disconnecting asks first (details/summary again), then the dashboard says it is done.
        await page.GotoAsync("/calendly/status");
        await page.Locator("#calendly-status summary", new() { HasText = "Disconnect…" }).ClickAsync();
        await page.Locator("#calendly-status button", new() { HasText = "Disconnect Calendly" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/dashboard\?notice=calendly-disconnected$"));
        await Expect(page.Locator("#toasts")).ToContainTextAsync("Calendly is disconnected.");
        await page.GotoAsync("/calendly/status");
        await Expect(page.Locator("#calendly-status")).ToContainTextAsync("Connect Calendly");
    }
}
