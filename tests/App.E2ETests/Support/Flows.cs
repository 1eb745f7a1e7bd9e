using App.Infrastructure.Web;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace App.E2ETests.Support;

/// <summary>What people do at the start of most journeys, done as they do it: through the pages.</summary>
public static class Flows
{
    /// <summary>Signs in through the development form; in <paramref name="timeZone"/>, else the browser's (as the form detects it).</summary>
    public static async Task SignInAsync(IPage page, string userId, string role, string? timeZone = null)
    {
        await page.GotoAsync("/dev/sign-in");
        await page.FillAsync("input[name=userId]", userId);
        await page.FillAsync("input[name=email]", $"{userId}@example.test");
        await page.SelectOptionAsync("select[name=role]", role);
        if (timeZone is not null) await page.FillAsync("input[name=timeZone]", timeZone);
        await page.ClickAsync("button[type=submit]");
        await Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(PageContributions.Home.Href) + "$"));
    }

    /// <summary>A new coach signs in and connects the given simulated Calendly account on the consent page.</summary>
    public static async Task<IPage> ConnectedCoachAsync(BrowserFixture app, string userId, string accountUuid, bool javaScript = true)
    {
        var coach = await app.NewPageAsync(javaScript);
        await SignInAsync(coach, userId, "coach");
        // The Connect slice's own route starts the flow, whichever page offers the button.
        await coach.GotoAsync("/api/calendly/oauth/connect");
        await coach.SelectOptionAsync("select[name=account]", accountUuid);
        await coach.ClickAsync("button[value=allow]");
        // A grant without every scope asked for still connects, with a notice that says what is off.
        await Expect(coach).ToHaveURLAsync(new Regex("notice=calendly-connected(-partly)?$"));
        return coach;
    }

    /// <summary>A new realtor signs in and opens the list of coaches; returns their page and the card of the coach offering the event type.</summary>
    public static async Task<(IPage Realtor, ILocator Card)> RealtorAtCoachCardAsync(BrowserFixture app, string userId, string eventTypeUri)
    {
        var realtor = await app.NewPageAsync();
        await SignInAsync(realtor, userId, "realtor");
        await realtor.GotoAsync("/coaches?count=100");
        return (realtor, realtor.Locator("article.coach", new() { Has = realtor.Locator($"a[href*='{Uri.EscapeDataString(eventTypeUri)}']") }));
    }
}
