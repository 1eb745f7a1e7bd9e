using App.E2ETests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace App.E2ETests.Features.Coaches;

/// <summary>The realtor's list of coaches in Chromium: each card loads the coach's week when it comes into view.</summary>
[ClassDataSource<BrowserFixture>(Shared = SharedType.PerTestSession)]
public sealed class CoachesPageTests(BrowserFixture app)
{
    [Test]
    [NeedsSlices("FreeTimes", "NativeBooking")]
    public async Task A_coach_s_card_shows_their_week_once_it_is_scrolled_into_view()
    {
        var account = (await app.Simulator.CreateUsersAsync(1))[0];
        await Flows.ConnectedCoachAsync(app, "card-coach", account.Uuid);

        var (_, card) = await Flows.RealtorAtCoachCardAsync(app, "card-realtor", account.EventTypes[0]);
        // Other tests' coaches share the list, so the card may start below the fold: it loads only when seen.
        await card.ScrollIntoViewIfNeededAsync();

        await Expect(card.Locator(".week-grid")).ToBeVisibleAsync();
        // Each free time opens the app's booking form.
        await Expect(card.Locator(".week-grid a").First).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("/book-a-time\\?"));
    }
}
