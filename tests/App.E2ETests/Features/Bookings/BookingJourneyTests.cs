using App.E2ETests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace App.E2ETests.Features.Bookings;

/// <summary>The whole journey, as two people in two browsers: a coach connects Calendly; a realtor books and cancels.</summary>
[ClassDataSource<BrowserFixture>(Shared = SharedType.PerTestSession)]
public sealed class BookingJourneyTests(BrowserFixture app)
{
    [Test]
    [NeedsSlices("Coaches", "FreeTimes", "Scheduled", "Cancel")]
    public async Task A_realtor_sees_free_times_books_in_the_modal_and_cancels_the_session()
    {
        // The coach connects a Calendly account of their own through the consent page.
        var account = (await app.Simulator.CreateUsersAsync(1))[0];
        var coach = await Flows.ConnectedCoachAsync(app, "journey-coach", account.Uuid);

        // The realtor finds the coach, sees their free times, and books in the embedded booking page.
        var (realtor, card) = await Flows.RealtorAtCoachCardAsync(app, "journey-realtor", account.EventTypes[0]);
        // The coach's week, on its own page (the list also loads it into the card when the card comes into view).
        var coachId = (await card.GetAttributeAsync("id"))!.Replace("coach-", "");
        await realtor.GotoAsync($"/coaches/{coachId}/free-times");
        await Expect(realtor.Locator(".week-grid")).ToBeVisibleAsync();
        await realtor.GotoAsync("/coaches?count=100");
        await card.Locator("a.button", new() { HasText = "Book" }).First.ClickAsync();

        var dialog = realtor.Locator("dialog#booking");
        await Expect(dialog).ToBeVisibleAsync();
        var calendly = realtor.FrameLocator("dialog#booking iframe");
        await calendly.Locator(".slots a").First.ClickAsync();
        await Expect(calendly.Locator("input[name=email]")).ToHaveValueAsync("journey-realtor@example.test");
        await calendly.Locator("button[type=submit]").ClickAsync();

        await Expect(dialog.Locator("[data-booking-status]")).ToContainTextAsync("Booked");
        await Expect(realtor.Locator("#toasts")).ToContainTextAsync("Session booked.");
        await BrowserFixture.ScreenshotAsync(realtor, "booked-in-modal");

        // The session is on the realtor's list; they cancel it with a reason.
        await realtor.GotoAsync("/sessions");
        var row = realtor.Locator("#sessions-list tbody tr").First;
        await Expect(row).ToContainTextAsync("30 Minute Meeting");
        await row.Locator("summary", new() { HasText = "Cancel…" }).ClickAsync();
        await row.Locator("textarea[name=reason]").FillAsync("Something came up");
        await row.Locator("button", new() { HasText = "Cancel this session" }).ClickAsync();
        await Expect(realtor.Locator("#toasts")).ToContainTextAsync("The session is canceled.");
        await BrowserFixture.ScreenshotAsync(realtor, "session-canceled");

        // The coach sees it canceled too, straight from Calendly.
        await coach.GotoAsync("/sessions?status=canceled");
        await Expect(coach.Locator("#sessions-list")).ToContainTextAsync("journey-realtor");
    }
}
