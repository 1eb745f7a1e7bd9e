using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using App.Infrastructure.Calendly;
using App.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using static App.Tests.Features.FreeTimes.FreeTimesRequests;

namespace App.Tests.Features.FreeTimes;

[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed partial class FreeTimesWeekTests(AppFixture app)
{
    private sealed record ShownSlot(DateOnly Day, DateTimeOffset StartTime, string Shown, string Href);

    /// <summary>Each slot of the grid with the day it is shown under, its time as shown, and its link.</summary>
    private static IReadOnlyList<ShownSlot> ShownSlots(string html) =>
        DaySection().Matches(html).SelectMany(day => SlotLink().Matches(day.Groups["slots"].Value).Select(slot => new ShownSlot(
            DateOnly.ParseExact(day.Groups["date"].Value, "yyyy-MM-dd", CultureInfo.InvariantCulture),
            DateTimeOffset.Parse(slot.Groups["instant"].Value, CultureInfo.InvariantCulture),
            slot.Groups["shown"].Value,
            WebUtility.HtmlDecode(slot.Groups["href"].Value)))).ToList();

    private static string Day(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private async Task SetTimeZoneAsync(long userId, string timeZone)
    {
        await using var db = await app.Database.OpenAsync();
        await db.ExecuteAsync("update users set time_zone = @timeZone where id = @userId", new { timeZone, userId });
    }

    [Test]
    [NeedsSlices("NativeBooking")]
    public async Task The_week_page_shows_seven_days_of_slots_linking_to_the_booking_form_and_a_next_week_link()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var realtor = await SignedInAsync(app.Host, "realtor");
        var firstDay = DateOnly.FromDateTime(Tomorrow.UtcDateTime);

        var response = await realtor.GetAsync($"/coaches/{coach.UserId}/free-times?week={Day(firstDay)}");

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        var html = await response.Content.ReadAsStringAsync();
        await Assert.That(html).Contains("<html");
        await Assert.That(DaySection().Matches(html).Count).IsEqualTo(7);
        var (start, end) = (Tomorrow, Tomorrow.AddDays(7));
        var calendly = await CalendlySlotsAsync(app.Simulator, coach.Tokens.AccessToken, coach.Account.EventTypes[0], start, end);
        // Each free time opens the app's booking form for that start time (NativeBooking's page, reached by URL).
        var eventUri = Uri.EscapeDataString(coach.Account.EventTypes[0]);
        await Assert.That(ShownSlots(html).Select(s => new Slot(s.StartTime, s.Href))).IsEquivalentTo(calendly.Select(slot => slot with
        {
            SchedulingUrl = $"/coaches/{coach.UserId}/book-a-time?eventTypeUri={eventUri}&startTime={Uri.EscapeDataString(Iso(slot.StartTime))}",
        }));
        var next = WebUtility.HtmlEncode($"/coaches/{coach.UserId}/free-times?week={Day(firstDay.AddDays(7))}&eventUri={Uri.EscapeDataString(coach.Account.EventTypes[0])}");
        await Assert.That(html).Contains($"href=\"{next}\"");
        await Assert.That(html).Contains($"hx-get=\"{next}\"");
    }

    [Test]
    public async Task An_uncached_week_during_a_Calendly_outage_renders_the_page_with_a_panel_that_retries()
    {
        await using var calendly = await IsolatedCalendly.StartAsync();
        var host = await calendly.StartAppAsync(new Dictionary<string, string> { ["CALENDLY_MAX_RETRIES"] = "0" });
        var coach = await ConnectedCoaches.ConnectAsync(host, calendly.Database, calendly.Simulator);
        var realtor = await SignedInAsync(host, "realtor");
        await calendly.Simulator.SetFaultsAsync(new { outage = true, user = coach.Account.Uri });
        var week = $"/coaches/{coach.UserId}/free-times?week={Day(DateOnly.FromDateTime(Tomorrow.UtcDateTime.AddDays(14)))}";

        var response = await realtor.GetAsync(week);

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        var html = await response.Content.ReadAsStringAsync();
        await Assert.That(html).Contains("<h1>Free times of ");
        await Assert.That(html).Contains("<nav class=\"main-nav\"");
        await Assert.That(html).Contains("Calendly is unreachable right now.");
        await Assert.That(html).Contains("<button type=\"submit\">Retry</button>");
        await Assert.That(html).Contains("load delay:20s");
        await Assert.That(DaySection().Matches(html).Count).IsEqualTo(0);

        // Once Calendly answers, the panel's retry gets the week.
        await calendly.Simulator.ClearFaultsAsync();
        var retried = await (await realtor.GetAsync(week, htmx: true)).Content.ReadAsStringAsync();
        await Assert.That(retried).DoesNotContain("Calendly is unreachable");
        await Assert.That(DaySection().Matches(retried).Count).IsEqualTo(7);
    }

    [Test]
    public async Task Htmx_gets_the_week_alone_and_a_navigation_gets_the_page()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var realtor = await SignedInAsync(app.Host, "realtor");
        var url = $"/coaches/{coach.UserId}/free-times";

        var partial = await realtor.GetAsync(url, htmx: true);
        var page = await realtor.GetAsync(url);

        var fragment = await partial.Content.ReadAsStringAsync();
        await Assert.That(fragment).DoesNotContain("<html");
        await Assert.That(fragment.TrimStart()).StartsWith($"<section id=\"free-times-{coach.UserId}\"");
        await Assert.That(await page.Content.ReadAsStringAsync()).Contains("<html");
        await Assert.That(partial.Headers.Vary).Contains("HX-Request");
    }

    [Test]
    public async Task This_week_has_no_previous_week_link_and_a_later_week_has_one()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var realtor = await SignedInAsync(app.Host, "realtor");
        var later = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(14);

        var thisWeek = await (await realtor.GetAsync($"/coaches/{coach.UserId}/free-times", htmx: true)).Content.ReadAsStringAsync();
        var laterWeek = await (await realtor.GetAsync($"/coaches/{coach.UserId}/free-times?week={Day(later)}", htmx: true)).Content.ReadAsStringAsync();

        await Assert.That(thisWeek).DoesNotContain("rel=\"prev\"");
        await Assert.That(laterWeek).Contains($"week={Day(later.AddDays(-7))}");
        await Assert.That(laterWeek).Contains("rel=\"prev\"");
    }

    [Test]
    public async Task The_event_type_can_be_chosen_and_one_of_another_coach_is_not_found()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var other = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var realtor = await SignedInAsync(app.Host, "realtor");
        var group = coach.Account.EventTypes[1];

        var chosen = await realtor.GetAsync($"/coaches/{coach.UserId}/free-times?eventUri={Uri.EscapeDataString(group)}", htmx: true);
        var foreign = await realtor.GetAsync($"/coaches/{coach.UserId}/free-times?eventUri={Uri.EscapeDataString(other.Account.EventTypes[0])}");

        var html = await chosen.Content.ReadAsStringAsync();
        await Assert.That(html).Contains($"<option value=\"{WebUtility.HtmlEncode(group)}\" selected");
        await Assert.That(html).Contains("3 seats left");
        await Assert.That(foreign.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task A_user_without_a_Calendly_connection_has_no_free_times_page()
    {
        var userId = await ConnectedCoaches.CreateUserAsync(app.Database, $"coach-{Guid.NewGuid():N}", "coach");

        var response = await (await SignedInAsync(app.Host, "realtor")).GetAsync($"/coaches/{userId}/free-times");

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
        await Assert.That(await response.Content.ReadAsStringAsync()).Contains("has not connected Calendly");
    }

    [Test]
    public async Task A_coach_whose_connection_lapsed_is_explained_to_a_realtor_without_a_reconnect_button()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        await app.Host.Services.GetRequiredService<CalendlyTokens>().MarkNeedsReconnectAsync(coach.UserId, "test", CancellationToken.None);

        var response = await (await SignedInAsync(app.Host, "realtor")).GetAsync($"/coaches/{coach.UserId}/free-times");

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Conflict);
        var html = await response.Content.ReadAsStringAsync();
        await Assert.That(html).Contains("Calendly connection has lapsed");
        await Assert.That(html).DoesNotContain("Reconnect Calendly");
    }

    [Test]
    public async Task A_malformed_week_is_refused_naming_it()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);

        var response = await (await SignedInAsync(app.Host, "realtor")).GetAsync($"/coaches/{coach.UserId}/free-times?week=next-monday");

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(await response.Content.ReadAsStringAsync()).Contains("week must be a date");
    }

    [Test]
    public async Task The_week_page_needs_a_signed_in_user()
    {
        var response = await app.NewBrowser().GetAsync("/coaches/1/free-times");

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Redirect);
        await Assert.That(response.Headers.Location!.ToString()).Contains("/dev/sign-in");
    }

    /// <summary>
    /// A coach in Tokyo (no daylight saving) seen from New York across its next clock change: the same Tokyo 09:00 is
    /// shown an hour apart before and after, and every slot sits under the New York date of its instant.
    /// </summary>
    [Test]
    public async Task Slots_are_grouped_by_the_viewer_s_local_date_across_a_daylight_saving_change()
    {
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var account = await AccountInAsync(app.Simulator, "Asia/Tokyo");
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator, account);
        await SetTimeZoneAsync(coach.UserId, "Asia/Tokyo");
        var viewer = await SignedInAsync(app.Host, "realtor", "America/New_York");
        var change = NextClockChange(newYork);
        var firstDay = change.AddDays(-3);

        var response = await viewer.GetAsync($"/coaches/{coach.UserId}/free-times?week={Day(firstDay)}", htmx: true);

        var html = await response.Content.ReadAsStringAsync();
        await Assert.That(html).Contains("America/New_York");
        await Assert.That(html).Contains("Asia/Tokyo");
        await Assert.That(html).Contains("<small class=\"muted\">Fri 09:00</small>");
        var start = TimeZoneInfo.ConvertTimeToUtc(firstDay.ToDateTime(TimeOnly.MinValue), newYork);
        var end = TimeZoneInfo.ConvertTimeToUtc(firstDay.AddDays(7).ToDateTime(TimeOnly.MinValue), newYork);
        await Assert.That(end - start).IsNotEqualTo(TimeSpan.FromDays(7));
        var calendly = await CalendlySlotsAsync(app.Simulator, coach.Tokens.AccessToken, account.EventTypes[0], start, end);
        var shown = ShownSlots(html);
        await Assert.That(shown.Select(s => s.StartTime)).IsEquivalentTo(calendly.Select(s => s.StartTime));
        foreach (var slot in shown)
        {
            var local = TimeZoneInfo.ConvertTime(slot.StartTime, newYork);
            await Assert.That(slot.Day).IsEqualTo(DateOnly.FromDateTime(local.DateTime));
            await Assert.That(slot.Shown).IsEqualTo(local.ToString("HH:mm", CultureInfo.InvariantCulture));
        }
        // Tokyo 09:00 is midnight UTC: before the change and after it, New York shows it an hour apart.
        var tokyoNine = shown.Where(s => s.StartTime.TimeOfDay == TimeSpan.Zero).ToList();
        var before = tokyoNine.First(s => s.Day < change);
        var after = tokyoNine.Last(s => s.Day >= change);
        var hours = (TimeOnly.Parse(after.Shown, CultureInfo.InvariantCulture) - TimeOnly.Parse(before.Shown, CultureInfo.InvariantCulture)).TotalHours;
        await Assert.That(Math.Abs(hours)).IsEqualTo(1);
    }

    /// <summary>The first date, at least four days ahead, on which the zone's UTC offset differs from the day before.</summary>
    private static DateOnly NextClockChange(TimeZoneInfo zone)
    {
        var day = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(4);
        while (zone.GetUtcOffset(day.ToDateTime(new TimeOnly(12, 0))) == zone.GetUtcOffset(day.AddDays(-1).ToDateTime(new TimeOnly(12, 0))))
            day = day.AddDays(1);
        return day;
    }

    [GeneratedRegex("""<section class="week-day" data-date="(?<date>[0-9-]+)"(?<slots>.*?)</section>""", RegexOptions.Singleline)]
    private static partial Regex DaySection();

    [GeneratedRegex("""<a href="(?<href>[^"]+)"[^>]*><time datetime="(?<instant>[^"]+)">(?<shown>[^<]+)</time></a>""")]
    private static partial Regex SlotLink();
}
