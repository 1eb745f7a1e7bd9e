using System.Text.RegularExpressions;
using App.E2ETests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace App.E2ETests.Infrastructure;

/// <summary>
/// Every page a coach and a realtor reach, on a phone (390 px) and a desktop (1280 px): nothing to scroll sideways, people
/// named by their names, times in the reader's zone with that zone in the header, and axe-core finding nothing serious or
/// critical. The realtor lives in another zone than the coach, books through the app, and changes zone from the header.
/// </summary>
[ClassDataSource<BrowserFixture>(Shared = SharedType.PerTestSession)]
public sealed class PagesAtPhoneAndDesktopTests(BrowserFixture app)
{
    private static readonly string AxePath = Path.Combine(AppContext.BaseDirectory, "axe.min.js");
    private static readonly (int Width, int Height)[] Sizes = [(390, 844), (1280, 900)];

    private const string RealtorZone = "America/Los_Angeles";
    private const string RealtorName = "Riley Morgan";

    // The serious and critical violations axe-core finds, each with the first elements it names.
    private const string AxeScript = """
        async () => (await axe.run(document, { resultTypes: ["violations"] })).violations
            .filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => v.id + " (" + v.impact + "): " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "))
        """;

    // Elements reaching past the right edge, named, when the page is wider than the window.
    private const string OverflowScript = """
        () => document.documentElement.scrollWidth <= window.innerWidth ? [] :
            [...document.querySelectorAll("body *")]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .slice(0, 5)
                .map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className ? "." + String(e.className).replace(/ /g, ".") : ""))
                .concat(["scrollWidth " + document.documentElement.scrollWidth + " > " + window.innerWidth])
        """;

    [Test]
    [NeedsSlices("Account", "Availability", "Coaches", "Dashboard", "EventTypes", "FreeTimes", "NativeBooking", "Scheduled", "Status")]
    public async Task Every_page_fits_a_phone_and_a_desktop_names_people_and_shows_times_in_the_readers_zone()
    {
        var account = (await app.Simulator.CreateUsersAsync(1))[0];
        var coachName = account.Name;
        var coach = await NewPageAsync();
        await Flows.SignInAsync(coach, $"pages-coach-{Guid.NewGuid():N}"[..20], "coach");
        await coach.ClickAsync("#calendly-status >> text=Connect Calendly");
        await coach.SelectOptionAsync("select[name=account]", account.Uuid);
        await coach.ClickAsync("button[value=allow]");
        await Expect(coach.Locator("#calendly-status")).ToContainTextAsync($"Connected as {coachName} ({account.Email})");

        var realtor = await NewPageAsync();
        await realtor.GotoAsync("/dev/sign-in");
        await realtor.FillAsync("input[name=userId]", $"pages-realtor-{Guid.NewGuid():N}"[..22]);
        await realtor.FillAsync("input[name=name]", RealtorName);
        await realtor.FillAsync("input[name=email]", $"riley-{Guid.NewGuid():N}@example.test");
        await realtor.SelectOptionAsync("select[name=role]", "realtor");
        await realtor.FillAsync("input[name=timeZone]", RealtorZone);
        await realtor.ClickAsync("button[type=submit]");
        await Expect(realtor.Locator("#dashboard-panel h2")).ToHaveTextAsync($"Welcome, {RealtorName}");

        // The realtor finds the coach by name, opens their week (in the realtor's zone, the coach's beside it) and books.
        await realtor.GotoAsync("/coaches?count=100");
        var card = realtor.Locator("article.coach", new() { Has = realtor.Locator($"a[href*='{Uri.EscapeDataString(account.EventTypes[0])}']") });
        // The card's own heading; its week, once loaded, has one too.
        await Expect(card.Locator("h2").First).ToHaveTextAsync(coachName);
        // The card's link to the coach's week, or (once the card's week has loaded itself) a link of that week to
        // another: either way, the page of this week is the path without the query.
        var week = (await card.Locator("a[href*='/free-times']").First.GetAttributeAsync("href"))!.Split('?')[0];
        await realtor.GotoAsync(week);
        await Expect(realtor.Locator("h1")).ToHaveTextAsync($"Free times of {coachName}");
        await Expect(realtor.Locator(".free-times")).ToContainTextAsync($"Times in your time zone, {RealtorZone}. Under each, the coach's time in Europe/Paris.");
        await Expect(realtor.Locator(".week-grid [aria-current=date]")).ToHaveCountAsync(1);
        var bookTime = (await realtor.Locator(".week-grid a[href*='/book-a-time']").First.GetAttributeAsync("href"))!;
        await realtor.GotoAsync(bookTime);
        await Expect(realtor.Locator("#booking-title")).ToContainTextAsync(coachName);
        await realtor.Locator("button[type=submit]", new() { HasText = "Book" }).ClickAsync();
        var calendar = (await realtor.Locator("a", new() { HasText = "Add to calendar" }).GetAttributeAsync("href"))!;
        var booked = calendar.Replace("/calendar.ics", "");
        await realtor.GotoAsync("/sessions");
        await Expect(realtor.Locator("#sessions-upcoming")).ToHaveTextAsync("Upcoming");
        await Expect(realtor.Locator("#sessions-list tbody tr").First).ToContainTextAsync(coachName);
        await Expect(realtor.Locator("#sessions-list tbody tr").First.Locator(".badge")).ToHaveTextAsync("Upcoming");
        await coach.GotoAsync("/sessions");
        await Expect(coach.Locator("#sessions-list tbody tr").First).ToContainTextAsync(RealtorName);

        var problems = new List<string>();
        foreach (var path in new[] { "/dashboard", "/sessions", "/availability", "/event-types", "/calendly/status", "/settings" })
            problems.AddRange(await CheckAsync(coach, "coach", path, "Europe/Paris"));
        foreach (var path in new[] { "/dashboard", "/coaches", "/sessions", "/settings", week, bookTime, booked })
            problems.AddRange(await CheckAsync(realtor, "realtor", path, RealtorZone));
        await Assert.That(problems).IsEmpty();

        // The zone is changed from the header of the page showing times, which comes back in the new zone.
        await realtor.SetViewportSizeAsync(390, 844);
        await realtor.GotoAsync(week);
        await realtor.ClickAsync("#zone-picker summary");
        await realtor.SelectOptionAsync("#zone-picker select[name=timeZone]", "Asia/Tokyo");
        await BrowserFixture.ScreenshotAsync(realtor, "pages-realtor-zone-picker-390", fullPage: false);
        await realtor.ClickAsync("#zone-picker button[type=submit]");
        await Expect(realtor).ToHaveURLAsync(new Regex(Regex.Escape(week) + @"(&|\?)notice=time-zone-saved$"));
        await Expect(realtor.Locator("#zone-picker summary")).ToContainTextAsync("Asia/Tokyo");
        await Expect(realtor.Locator(".free-times")).ToContainTextAsync("Times in your time zone, Asia/Tokyo.");
        await Expect(realtor.Locator("#toasts")).ToContainTextAsync("Your time zone is saved");
    }

    [Test]
    [NeedsSlices("Operations", "Webhooks")]
    public async Task The_admin_pages_fit_a_phone_and_a_desktop_and_label_every_stacked_cell()
    {
        // A connected coach and a booking at Calendly, so both pages have rows: a coach, a webhook event.
        var account = (await app.Simulator.CreateUsersAsync(1))[0];
        await Flows.ConnectedCoachAsync(app, $"adm-coach-{Guid.NewGuid():N}"[..20], account.Uuid);
        var tokens = await app.Simulator.IssueTokensAsync(account.Uri);
        await app.Simulator.BookAsync(account.EventTypes[0], await app.Simulator.FirstFreeSlotAsync(tokens.AccessToken, account.EventTypes[0]),
            "adm-invitee@example.test");
        var admin = await NewPageAsync();
        await Flows.SignInAsync(admin, $"adm-admin-{Guid.NewGuid():N}"[..20], "admin");
        await admin.GotoAsync("/admin/webhooks");
        await Expect(admin.Locator("#webhook-events tbody tr").First).ToBeVisibleAsync(new() { Timeout = 10_000 });

        var problems = new List<string>();
        foreach (var path in new[] { "/admin/health", "/admin/webhooks" })
        {
            problems.AddRange(await CheckAsync(admin, "admin", path, "Europe/Paris"));
            // CheckAsync leaves the page at the last size; the phone is the one that stacks table rows.
            await admin.SetViewportSizeAsync(390, 844);
            await admin.GotoAsync(path);
            problems.AddRange((await admin.EvaluateAsync<string[]>(UnlabelledCellsScript)).Select(cell => $"admin {path} at 390 px: a stacked cell without a label: {cell}"));
        }
        await Assert.That(problems).IsEmpty();
    }

    // Table cells a phone shows as stacked rows (display: block) whose label (data-label) is missing.
    private const string UnlabelledCellsScript = """
        () => [...document.querySelectorAll("td")]
            .filter(td => getComputedStyle(td).display === "block" && !td.dataset.label)
            .slice(0, 5).map(td => td.textContent.trim().slice(0, 40))
        """;

    private async Task<IPage> NewPageAsync()
    {
        // axe-core goes in as a script tag, which a strict Content-Security-Policy would refuse: the test's own, not the page's.
        var context = await app.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = app.BaseUrl.ToString(), TimezoneId = "Europe/Paris", BypassCSP = true,
        });
        return await context.NewPageAsync();
    }

    /// <summary>The page at each size: what overflows, what axe-core finds serious, and whether the header shows the zone.</summary>
    private static async Task<IReadOnlyList<string>> CheckAsync(IPage page, string role, string path, string zone)
    {
        var problems = new List<string>();
        foreach (var (width, height) in Sizes)
        {
            await page.SetViewportSizeAsync(width, height);
            await page.GotoAsync(path);
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            var at = $"{role} {path} at {width} px";
            problems.AddRange((await page.EvaluateAsync<string[]>(OverflowScript)).Select(e => $"{at}: overflows: {e}"));
            if (!(await page.Locator("#zone-picker summary").TextContentAsync() ?? "").Contains(zone))
                problems.Add($"{at}: the header does not show {zone}");
            // The brand is one line (body text may break anywhere; a name must not: "Calendly.Sl / ices").
            var brand = await page.Locator(".topbar .brand span").BoundingBoxAsync();
            if (brand?.Height > 30) problems.Add($"{at}: the brand breaks over two lines");
            // Nor does the person's name run into it.
            if (await page.Locator(".topbar .who").BoundingBoxAsync() is { } who && brand is not null
                && who.Y < brand.Y + brand.Height && who.X < brand.X + brand.Width)
                problems.Add($"{at}: the signed-in name overlaps the brand");
            await page.AddScriptTagAsync(new PageAddScriptTagOptions { Path = AxePath });
            problems.AddRange((await page.EvaluateAsync<string[]>(AxeScript)).Select(v => $"{at}: {v}"));
            await BrowserFixture.ScreenshotAsync(page, $"pages-{role}-{Slug(path)}-{width}");
        }
        return problems;
    }

    private static string Slug(string path) =>
        Regex.Replace(path.Split('?')[0].Trim('/'), "[^a-z-]+", "-") is { Length: > 0 } slug ? slug.Trim('-') : "home";
}
