using System.Diagnostics;
using App.E2ETests.Support;
using App.Tests.Support;
using Dapper;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace App.E2ETests.Features.LiveUpdates;

/// <summary>
/// A booking made in Calendly itself (here: the simulator, as an invitee would on Calendly's page) reaches the open
/// sessions pages of both its realtor and its coach without a reload: signed webhook → stored → processed → the
/// sessions table's NOTIFY → each person's stream of live updates → the list fetches itself. Nobody else hears of it.
/// </summary>
[ClassDataSource<BrowserFixture>(Shared = SharedType.PerTestSession)]
public sealed class LiveSessionsTests(BrowserFixture app)
{
    [Test]
    [NeedsSlices("Scheduled", "Dashboard")]
    public async Task A_booking_made_in_Calendly_appears_on_the_realtor_s_and_the_coach_s_open_sessions_pages_and_no_one_else_hears_of_it()
    {
        var account = (await app.Simulator.CreateUsersAsync(1))[0];
        var coach = await Flows.ConnectedCoachAsync(app, "live-coach", account.Uuid);
        await coach.GotoAsync("/sessions");
        var realtor = await app.NewPageAsync();
        await Flows.SignInAsync(realtor, "live-realtor", "realtor");
        await realtor.GotoAsync("/sessions");
        // And the realtor's dashboard, in another tab.
        var dashboard = await realtor.Context.NewPageAsync();
        await dashboard.GotoAsync("/dashboard");
        await Expect(dashboard.Locator("#upcoming-sessions")).ToHaveTextAsync("See past sessions");
        foreach (var page in new[] { coach, realtor, dashboard }) await LiveAsync(page);

        // A third person, reading their own stream directly over HTTP.
        var bystander = new Browser(new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = app.BaseUrl });
        await bystander.SignInAsync("live-bystander", "live-bystander@example.test", "realtor");
        await using var bystanderStream = await EventStream.OpenAsync(bystander, "/live-updates");

        var booked = await BookAsync(account, "live-realtor");
        var appeared = Stopwatch.StartNew();
        var row = $"#session-{booked.Event.Split('/')[^1]}";
        await Task.WhenAll(
            Expect(realtor.Locator(row)).ToBeVisibleAsync(new() { Timeout = 10_000 }),
            Expect(coach.Locator(row)).ToBeVisibleAsync(new() { Timeout = 10_000 }),
            Expect(dashboard.Locator("#upcoming-sessions")).ToHaveTextAsync("See your 1 upcoming session", new() { Timeout = 10_000 }));
        Console.WriteLine($"The booking appeared on both open sessions pages (and the dashboard) {appeared.ElapsedMilliseconds} ms after Calendly took it.");
        // The realtor reads the coach as Calendly names them.
        await Expect(realtor.Locator(row)).ToContainTextAsync(account.Name);
        await BrowserFixture.ScreenshotAsync(realtor, "live-sessions-realtor");
        await coach.SetViewportSizeAsync(390, 844);
        await BrowserFixture.ScreenshotAsync(coach, "live-sessions-coach-390");

        await Assert.That(bystanderStream.Events.Select(e => e.Name)).DoesNotContain("sessions-changed");
        await Assert.That(bystanderStream.Text).DoesNotContain(booked.Event.Split('/')[^1]).And.DoesNotContain("live-realtor")
            .And.DoesNotContain("live-coach");
        await BrowserFixture.ScreenshotAsync(dashboard, "live-dashboard-realtor");
    }

    [Test]
    [NeedsSlices("Scheduled")]
    public async Task With_its_stream_closed_the_sessions_page_falls_back_to_polling()
    {
        var account = (await app.Simulator.CreateUsersAsync(1))[0];
        await Flows.ConnectedCoachAsync(app, "polled-coach", account.Uuid);
        var realtor = await app.NewPageAsync();
        await Flows.SignInAsync(realtor, "polled-realtor", "realtor");
        // The stream cannot be opened (a proxy that drops it, an instance gone): the page polls every 30 s instead.
        await realtor.Context.RouteAsync("**/live-updates**", route => route.AbortAsync());
        await realtor.Clock.InstallAsync();
        await realtor.GotoAsync("/sessions");
        await Expect(realtor.Locator("#main")).ToHaveAttributeAsync("data-live", "closed");

        var booked = await BookAsync(account, "polled-realtor");
        await using (var db = await app.Database.OpenAsync())
            for (var deadline = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < deadline; await Task.Delay(50))
                if (await db.ExecuteScalarAsync<bool>("select exists (select 1 from sessions where invitee_uri = @Invitee and realtor_id is not null)",
                        new { booked.Invitee }))
                    break;
        var row = realtor.Locator($"#session-{booked.Event.Split('/')[^1]}");
        await Expect(row).ToHaveCountAsync(0);

        await realtor.Clock.FastForwardAsync("00:31");
        await Expect(row).ToBeVisibleAsync(new() { Timeout = 10_000 });
    }

    [Test]
    [NeedsSlices("Scheduled", "Cancel")]
    public async Task An_action_s_answer_is_not_lost_to_the_live_refresh_its_own_change_sets_off()
    {
        var account = (await app.Simulator.CreateUsersAsync(1))[0];
        var realtorId = $"race-realtor-{Guid.NewGuid():N}"[..24];
        await Flows.ConnectedCoachAsync(app, $"race-coach-{Guid.NewGuid():N}"[..22], account.Uuid);
        var realtor = await app.NewPageAsync();
        await Flows.SignInAsync(realtor, realtorId, "realtor");
        var booked = await BookAsync(account, realtorId);
        var row = realtor.Locator($"#session-{booked.Event.Split('/')[^1]}");
        await realtor.GotoAsync("/sessions");
        await Expect(row).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await LiveAsync(realtor);
        // The cancel's answer reaches the page two seconds after the change was committed, so the change's own live
        // event (and the list's refresh) comes first, as it can on a slow network.
        await realtor.RouteAsync("**/sessions/cancel", async route =>
        {
            var answer = await route.FetchAsync();
            await Task.Delay(2000);
            await route.FulfillAsync(new() { Response = answer });
        });

        await row.Locator("summary", new() { HasText = "Cancel…" }).ClickAsync();
        await row.Locator("textarea[name=reason]").FillAsync("Something came up");
        await row.Locator("button", new() { HasText = "Cancel this session" }).ClickAsync();

        await Expect(realtor.Locator("#toasts")).ToContainTextAsync("The session is canceled.", new() { Timeout = 10_000 });
        await Expect(row).ToContainTextAsync("Canceled", new() { Timeout = 10_000 });
    }

    /// <summary>Until the page's stream of live updates is open (site.js marks it).</summary>
    private static Task LiveAsync(IPage page) => Expect(page.Locator("#main")).ToHaveAttributeAsync("data-live", "open");

    /// <summary>Books the coach's first free time on the simulator, as the realtor would on Calendly's page (their booking reference in utm_content).</summary>
    private async Task<SimulatorServer.SimBooking> BookAsync(SimulatorServer.SimUser account, string realtorId)
    {
        string bookingRef;
        await using (var db = await app.Database.OpenAsync())
            bookingRef = (await db.ExecuteScalarAsync<string>("select booking_ref from users where external_id = @realtorId", new { realtorId }))!;
        var tokens = await app.Simulator.IssueTokensAsync(account.Uri);
        var start = await app.Simulator.FirstFreeSlotAsync(tokens.AccessToken, account.EventTypes[0]);
        return await app.Simulator.BookAsync(account.EventTypes[0], start, $"{realtorId}@example.test", bookingRef);
    }
}
