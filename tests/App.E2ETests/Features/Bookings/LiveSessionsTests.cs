using App.E2ETests.Support;
using Dapper;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace App.E2ETests.Features.Bookings;

/// <summary>
/// A booking made in Calendly itself (here: the simulator, as an invitee would on Calendly's page) reaches the
/// realtor's open sessions page without a reload: signed webhook → stored → processed → the page's polling.
/// </summary>
[ClassDataSource<BrowserFixture>(Shared = SharedType.PerTestSession)]
public sealed class LiveSessionsTests(BrowserFixture app)
{
    [Test]
    public async Task A_booking_made_in_Calendly_appears_on_the_open_sessions_page_without_a_reload()
    {
        var account = (await app.Simulator.CreateUsersAsync(1))[0];
        var coach = await Flows.ConnectedCoachAsync(app, "live-coach", account.Uuid);

        var realtor = await app.NewPageAsync();
        await Flows.SignInAsync(realtor, "live-realtor", "realtor");
        await realtor.GotoAsync("/sessions");
        await Expect(realtor.Locator("#sessions-list")).ToBeVisibleAsync();

        string bookingRef;
        await using (var db = await app.Database.OpenAsync())
            bookingRef = (await db.ExecuteScalarAsync<string>("select booking_ref from users where external_id = 'live-realtor'"))!;
        var tokens = await app.Simulator.IssueTokensAsync(account.Uri);
        var start = await app.Simulator.FirstFreeSlotAsync(tokens.AccessToken, account.EventTypes[0]);
        await app.Simulator.BookAsync(account.EventTypes[0], start, "live-realtor@example.test", bookingRef);

        // The list polls every 30 seconds; the webhook is delivered and processed well within that.
        // The coach is named as Calendly names them.
        await Expect(realtor.Locator("#sessions-list")).ToContainTextAsync(account.Name, new() { Timeout = 45_000 });
    }
}
