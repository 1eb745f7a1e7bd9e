using System.Text.RegularExpressions;
using App.E2ETests.Support;
using App.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace App.E2ETests.Features.NativeBooking;

/// <summary>Booking inside the app: a free time of the coach's week opens the app's own form, in place or as pages.</summary>
[ClassDataSource<BrowserFixture>(Shared = SharedType.PerTestSession)]
public sealed class BookingDialogTests(BrowserFixture app)
{
    private const string Notes = "Bring the photos of 12 Elm St";

    /// <summary>
    /// The booking's own elements (the page's main part and the dialog) wider than the page, at either size: what a person
    /// would have to scroll sideways to read. The shell's top bar is the pages' own business.
    /// </summary>
    private static async Task ExpectNoHorizontalOverflowAsync(IPage page)
    {
        var overflowing = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll("main *, dialog *")]
                .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                .map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className ? "." + e.className : ""))
            """);
        await Assert.That(overflowing).IsEmpty();
    }

    private static async Task ScreenshotsAsync(IPage page, string name)
    {
        foreach (var (width, height) in new[] { (1280, 900), (390, 844) })
        {
            await page.SetViewportSizeAsync(width, height);
            // The viewport alone: a modal dialog is drawn over what is in view, not over the whole page.
            await BrowserFixture.ScreenshotAsync(page, $"{name}-{width}", fullPage: false);
            await ExpectNoHorizontalOverflowAsync(page);
            // The dialog's own controls read on one line (a squeezed "Close" once broke into a letter a line on a phone).
            var wrapped = await page.EvaluateAsync<string[]>("""
                () => [...document.querySelectorAll('dialog[open] .booking-header button')]
                    .filter(button => { const text = document.createRange(); text.selectNodeContents(button); return text.getClientRects().length > 1; })
                    .map(button => button.textContent.trim())
                """);
            await Assert.That(wrapped).IsEmpty();
        }
        await page.SetViewportSizeAsync(1280, 900);
    }

    [Test]
    [NeedsSlices("Coaches", "FreeTimes", "Scheduled")]
    public async Task A_realtor_in_another_time_zone_books_a_free_time_in_the_dialog_and_the_time_leaves_the_grid()
    {
        var account = (await app.Simulator.CreateUsersAsync(1))[0];
        await Flows.ConnectedCoachAsync(app, $"dialog-coach-{Guid.NewGuid():N}"[..20], account.Uuid);
        var realtor = await app.NewPageAsync();
        await Flows.SignInAsync(realtor, $"dialog-realtor-{Guid.NewGuid():N}"[..22], "realtor", "Asia/Tokyo");
        await realtor.GotoAsync("/coaches?count=100");
        var card = realtor.Locator("article.coach", new() { Has = realtor.Locator($"a[href*='{Uri.EscapeDataString(account.EventTypes[0])}']") });
        await card.ScrollIntoViewIfNeededAsync();

        var slot = card.Locator(".week-grid a[href*='/book-a-time']").First;
        var startTime = (await slot.Locator("time").GetAttributeAsync("datetime"))!;
        await slot.ClickAsync();

        var dialog = realtor.Locator("dialog#booking");
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog.Locator("h2")).ToContainTextAsync("Book 30 Minute Meeting");
        await Expect(dialog.Locator(".booking-time")).ToContainTextAsync("your time (Asia/Tokyo)");
        await Expect(dialog.Locator(".booking-time")).ToContainTextAsync("for the coach (Europe/Paris)");
        await Expect(dialog.Locator("a", new() { HasText = "Book on Calendly instead" })).ToBeVisibleAsync();
        await dialog.GetByLabel("Notes for the coach").FillAsync(Notes);
        await ScreenshotsAsync(realtor, "booking-dialog");
        await dialog.Locator("button[type=submit]", new() { HasText = "Book" }).ClickAsync();

        await Expect(dialog.Locator("h2")).ToContainTextAsync("Booked: 30 Minute Meeting");
        await Expect(realtor.Locator("#toasts")).ToContainTextAsync("Session booked.");
        await Expect(dialog.Locator("a", new() { HasText = "Reschedule on Calendly" })).ToHaveAttributeAsync("href", new Regex("^http"));
        await Expect(dialog.Locator("a", new() { HasText = "Cancel on Calendly" })).ToHaveAttributeAsync("href", new Regex("^http"));
        var calendar = await dialog.Locator("a", new() { HasText = "Add to calendar" }).GetAttributeAsync("href");
        var ics = await (await realtor.APIRequest.GetAsync(calendar!)).TextAsync();
        await Assert.That(ics).Contains($"DTSTART:{DateTimeOffset.Parse(startTime, System.Globalization.CultureInfo.InvariantCulture).UtcDateTime:yyyyMMdd'T'HHmmss'Z'}");
        await ScreenshotsAsync(realtor, "booking-confirmed");

        // The grid behind the dialog fetched itself again: the time is taken.
        await Expect(card.Locator($".week-grid time[datetime='{startTime}']")).ToHaveCountAsync(0);
        await dialog.Locator("button", new() { HasText = "Close" }).ClickAsync();
        await realtor.GotoAsync("/sessions");
        await Expect(realtor.Locator("#sessions-list tbody tr").First).ToContainTextAsync("30 Minute Meeting");
    }

    [Test]
    [NeedsSlices("Coaches", "FreeTimes", "Scheduled")]
    public async Task Without_javascript_the_form_and_the_confirmation_are_pages_of_their_own()
    {
        var account = (await app.Simulator.CreateUsersAsync(1))[0];
        await Flows.ConnectedCoachAsync(app, $"nojs-bk-coach-{Guid.NewGuid():N}"[..20], account.Uuid, javaScript: false);
        var realtor = await app.NewPageAsync(javaScript: false);
        await Flows.SignInAsync(realtor, $"nojs-bk-realtor-{Guid.NewGuid():N}"[..22], "realtor", "America/Chicago");
        await realtor.GotoAsync("/coaches?count=100");
        var card = realtor.Locator("article.coach", new() { Has = realtor.Locator($"a[href*='{Uri.EscapeDataString(account.EventTypes[0])}']") });
        await card.Locator("a", new() { HasText = "free times this week" }).ClickAsync();
        var weekUrl = realtor.Url;

        var slot = realtor.Locator(".week-grid a[href*='/book-a-time']").First;
        var startTime = (await slot.Locator("time").GetAttributeAsync("datetime"))!;
        await slot.ClickAsync();
        await Expect(realtor).ToHaveURLAsync(new Regex("/book-a-time\\?"));
        await Expect(realtor.Locator("h1")).ToHaveTextAsync("Book a session");
        await Expect(realtor.Locator(".booking-time")).ToContainTextAsync("your time (America/Chicago)");
        await realtor.GetByLabel("Notes for the coach").FillAsync(Notes);
        await ScreenshotsAsync(realtor, "booking-page-nojs");
        await realtor.Locator("button[type=submit]", new() { HasText = "Book" }).ClickAsync();

        await Expect(realtor).ToHaveURLAsync(new Regex("/booked/[A-Za-z0-9-]+$"));
        await Expect(realtor.Locator("h1")).ToHaveTextAsync("Session booked");
        await Expect(realtor.Locator("a", new() { HasText = "Add to calendar" })).ToHaveAttributeAsync("href", new Regex("/calendar\\.ics$"));
        await ScreenshotsAsync(realtor, "booking-confirmed-nojs");

        await realtor.GotoAsync(weekUrl);
        await Expect(realtor.Locator(".week-grid")).ToBeVisibleAsync();
        await Expect(realtor.Locator($".week-grid time[datetime='{startTime}']")).ToHaveCountAsync(0);
        await realtor.GotoAsync("/sessions");
        await Expect(realtor.Locator("#sessions-list tbody tr").First).ToContainTextAsync("30 Minute Meeting");
    }

    /// <summary>Narrows the simulator's OAuth client for the whole test session while the coach connects: nothing else may run meanwhile.</summary>
    [Test, NotInParallel]
    [NeedsSlices("Dashboard", "Status", "Coaches", "FreeTimes")]
    public async Task A_coach_whose_calendly_app_lacks_the_write_scope_is_told_why_and_realtors_book_on_calendly_s_page()
    {
        var account = (await app.Simulator.CreateUsersAsync(1))[0];
        IPage coach;
        await app.Simulator.SetClientScopesAsync(["users:read", "event_types:read", "availability:read", "scheduled_events:read", "webhooks:write"]);
        try
        {
            coach = await Flows.ConnectedCoachAsync(app, $"scope-coach-{Guid.NewGuid():N}"[..20], account.Uuid);
        }
        finally
        {
            await app.Simulator.SetClientScopesAsync(SimulatorServer.EveryScope);
        }
        await Expect(coach.Locator("#calendly-status")).ToContainTextAsync(
            "Booking from the app is off: Calendly did not grant scheduled_events:write");
        await Expect(coach.Locator("#calendly-status a", new() { HasText = "Reconnect Calendly" })).ToBeVisibleAsync();

        var (realtor, card) = await Flows.RealtorAtCoachCardAsync(app, $"scope-realtor-{Guid.NewGuid():N}"[..22], account.EventTypes[0]);
        await card.ScrollIntoViewIfNeededAsync();
        await Expect(card.Locator(".week-grid")).ToBeVisibleAsync();
        await Expect(card.Locator(".week-grid a[href*='/book-a-time']")).ToHaveCountAsync(0);
        await card.Locator(".week-grid a").First.ClickAsync();

        var dialog = realtor.Locator("dialog#booking");
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog.Locator("iframe[data-booking-frame]")).ToBeVisibleAsync();
    }
}
