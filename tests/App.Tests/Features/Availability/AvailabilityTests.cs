using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using App.Features.Availability;
using App.Infrastructure.Calendly;
using App.Infrastructure.Web;
using App.Tests.Support;
using TUnit.Assertions.Enums;
using static App.Tests.Support.ApiResponses;

namespace App.Tests.Features.Availability;

[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed class AvailabilityTests(AppFixture app)
{
    internal const string Api = "/api/calendly/availability/schedules";

    /// <summary>A coach (or admin) connected to a fresh simulated account: one default "Working Hours", Mon–Fri 09:00–17:00 UTC.</summary>
    private async Task<(ConnectedCoaches.ConnectedCoach Coach, Browser Browser)> ConnectedAsync(string role = "coach",
        SimulatorServer.SimUser? account = null)
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator, account);
        return (coach, await ConnectedCoaches.SignedInAsync(app.Host, coach.ExternalId, role));
    }

    private static async Task<List<JsonElement>> ItemsOf(HttpResponseMessage response)
    {
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        return [.. (await Browser.JsonAsync(response)).GetProperty("data").GetProperty("items").EnumerateArray()];
    }

    private static string Hours(JsonElement day) =>
        string.Join(", ", day.GetProperty("intervals").EnumerateArray().Select(i => $"{i.GetProperty("from")}-{i.GetProperty("to")}"));

    [Test]
    public async Task A_connected_coach_gets_their_schedule_as_a_week_from_Sunday_with_its_time_zone()
    {
        var (coach, browser) = await ConnectedAsync();

        var items = await ItemsOf(await browser.GetAsync(Api));

        await Assert.That(items.Count).IsEqualTo(1);
        var schedule = items[0];
        await Assert.That(schedule.GetProperty("name").GetString()).IsEqualTo("Working Hours");
        await Assert.That(schedule.GetProperty("default").GetBoolean()).IsTrue();
        await Assert.That(schedule.GetProperty("user").GetString()).IsEqualTo(coach.Account.Uri);
        await Assert.That(schedule.GetProperty("timezone").GetString()).IsEqualTo("UTC");
        await Assert.That(schedule.GetProperty("uri").GetString()).Contains("/user_availability_schedules/");
        var week = schedule.GetProperty("weekly").EnumerateArray().ToList();
        await Assert.That(week.Select(d => d.GetProperty("day").GetString()!).ToList())
            .IsEquivalentTo(["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"], CollectionOrdering.Matching);
        await Assert.That(week.Select(Hours).ToList())
            .IsEquivalentTo(["", "09:00-17:00", "09:00-17:00", "09:00-17:00", "09:00-17:00", "09:00-17:00", ""], CollectionOrdering.Matching);
        await Assert.That(schedule.GetProperty("dateOverrides").GetArrayLength()).IsEqualTo(0);
    }

    [Test]
    public async Task Passing_your_own_userUri_is_the_same_as_leaving_it_out()
    {
        var (coach, browser) = await ConnectedAsync();
        var items = await ItemsOf(await browser.GetAsync($"{Api}?userUri={Uri.EscapeDataString(coach.Account.Uri + "/")}"));
        await Assert.That(items.Single().GetProperty("user").GetString()).IsEqualTo(coach.Account.Uri);
    }

    [Test]
    public async Task A_coach_asking_for_someone_else_s_schedules_is_forbidden()
    {
        var (_, browser) = await ConnectedAsync();
        var someoneElse = (await app.Simulator.CreateUsersAsync(1))[0];

        var error = await ErrorOf(await browser.GetAsync($"{Api}?userUri={Uri.EscapeDataString(someoneElse.Uri)}"),
            HttpStatusCode.Forbidden, "forbidden");
        await Assert.That(error.GetProperty("message").GetString()).Contains("only your own");
    }

    [Test]
    public async Task An_admin_reads_a_colleague_s_schedules_with_their_own_Calendly_token()
    {
        // One simulated organization: the first account is its owner (a Calendly admin), the second a member.
        var accounts = await app.Simulator.CreateUsersAsync(2);
        var (_, admin) = await ConnectedAsync("admin", accounts[0]);

        var items = await ItemsOf(await admin.GetAsync($"{Api}?userUri={Uri.EscapeDataString(accounts[1].Uri)}"));

        await Assert.That(items.Single().GetProperty("user").GetString()).IsEqualTo(accounts[1].Uri);
    }

    [Test]
    public async Task An_admin_asking_outside_their_Calendly_organization_gets_Calendly_s_refusal()
    {
        var (_, admin) = await ConnectedAsync("admin");
        var stranger = (await app.Simulator.CreateUsersAsync(1))[0];

        var error = await ErrorOf(await admin.GetAsync($"{Api}?userUri={Uri.EscapeDataString(stranger.Uri)}"),
            HttpStatusCode.Forbidden, "calendly_forbidden");
        await Assert.That(error.GetProperty("message").GetString()).Contains("not in your organization");
    }

    [Test]
    [Arguments("not-a-uri")]
    [Arguments("/users/abc")]
    [Arguments("ftp://api.calendly.com/users/abc")]
    [Arguments("")]
    public async Task A_userUri_that_is_not_an_absolute_http_URI_is_refused_with_the_field_named(string userUri)
    {
        var (_, browser) = await ConnectedAsync();
        var error = await ErrorOf(await browser.GetAsync($"{Api}?userUri={Uri.EscapeDataString(userUri)}"),
            HttpStatusCode.BadRequest, "validation_failed");
        await Assert.That(error.GetProperty("details").GetProperty("userUri")[0].GetString()).StartsWith("must be an absolute https or http URI");
    }

    [Test]
    public async Task The_availability_page_shows_the_week_and_loads_the_event_types_with_a_link_to_fall_back_on()
    {
        var (coach, browser) = await ConnectedAsync();

        var response = await browser.GetAsync("/availability");

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        var html = Readable(await response.Content.ReadAsStringAsync());
        await Assert.That(html).Contains("<html");
        await Assert.That(html).Contains("<h1>Availability</h1>");
        await Assert.That(html).Contains("Working Hours (default)");
        await Assert.That(html).Contains("Times are in <strong>UTC</strong>");
        await Assert.That(html).Contains("<th scope=\"row\">Sunday</th><td>Unavailable</td>");
        await Assert.That(html).Contains("<th scope=\"row\">Monday</th><td>09:00–17:00</td>");
        await Assert.That(html).Contains("No date overrides");
        // Simulated mode: the simulator has no schedule editor, so the coach's booking page stands in.
        await Assert.That(html).Contains($"<a class=\"button\" href=\"{coach.Account.SchedulingUrl}\" target=\"_blank\" rel=\"noopener\">Edit availability in Calendly</a>");
        // The cards other slices declare for this page (the event types…) load themselves, or are links without JavaScript.
        foreach (var part in PageContributions.PartsOf(PagePlaces.Availability))
        {
            await Assert.That(html).Contains($"hx-get=\"{part.Href}\" hx-trigger=\"load\"");
            await Assert.That(html).Contains($"<a href=\"{part.Href}\">{part.Title}</a>");
        }
    }

    [Test]
    public async Task Htmx_gets_the_schedules_alone()
    {
        var (_, browser) = await ConnectedAsync();

        var response = await browser.GetAsync("/availability", htmx: true);

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(response.Headers.Vary.ToString()).Contains("HX-Request");
        var html = await response.Content.ReadAsStringAsync();
        await Assert.That(html).DoesNotContain("<html");
        await Assert.That(html).StartsWith("<section id=\"availability-schedules\"");
        await Assert.That(html).Contains("Working Hours (default)");
        foreach (var part in PageContributions.PartsOf(PagePlaces.Availability))
            await Assert.That(html).DoesNotContain($"hx-get=\"{part.Href}\"");
    }

    /// <summary>The simulator cannot make date overrides, so this shapes Calendly's documented rules directly.</summary>
    [Test]
    public async Task Date_overrides_are_listed_by_date_apart_from_the_week_and_a_missing_weekday_is_unavailable()
    {
        var calendly = new AvailabilitySchedule("https://api.calendly.com/user_availability_schedules/s1", true, "Summer",
            "https://api.calendly.com/users/u1", "Europe/Berlin",
        [
            new("wday", "monday", null, [new("13:00", "17:00"), new("09:00", "12:00")]),
            new("date", null, "2026-08-15", []),
            new("date", null, "2026-07-04", [new("10:00", "12:00")]),
        ]);

        var schedule = AvailabilityModule.ToSchedule(calendly);

        await Assert.That(schedule.Weekly.Select(d => d.Day).ToList()).IsEquivalentTo(AvailabilityModule.Weekdays,
            CollectionOrdering.Matching);
        await Assert.That(schedule.Weekly[1].Intervals).IsEquivalentTo([new AvailabilityModule.Interval("09:00", "12:00"),
            new AvailabilityModule.Interval("13:00", "17:00")], CollectionOrdering.Matching);
        await Assert.That(schedule.Weekly.Where(d => d.Day != "monday").All(d => d.Intervals.Count == 0)).IsTrue();
        await Assert.That(schedule.DateOverrides.Select(d => d.Date).ToList()).IsEquivalentTo(["2026-07-04", "2026-08-15"],
            CollectionOrdering.Matching);
        await Assert.That(schedule.DateOverrides[0].Intervals.Single()).IsEqualTo(new AvailabilityModule.Interval("10:00", "12:00"));
        await Assert.That(schedule.DateOverrides[1].Intervals).IsEmpty();

        var html = await RenderAsync(new AvailabilityModule.AvailabilityView([schedule], AvailabilityModule.CalendlyScheduleEditor));
        await Assert.That(html).Contains("<li><time datetime=\"2026-07-04\">2026-07-04</time>: 10:00–12:00</li>");
        await Assert.That(html).Contains("<li><time datetime=\"2026-08-15\">2026-08-15</time>: Unavailable</li>");
        await Assert.That(html).Contains("<td>09:00–12:00, 13:00–17:00</td>");
        await Assert.That(html).Contains("href=\"https://calendly.com/app/availability/schedules\"");
    }

    /// <summary>The markup without whitespace between tags and with entities decoded, so assertions do not depend on the
    /// template's indentation or on which characters the encoder escapes (it escapes the en dash).</summary>
    private static string Readable(string html) => WebUtility.HtmlDecode(Regex.Replace(html, @">\s+<", "><"));

    private static async Task<string> RenderAsync(AvailabilityModule.AvailabilityView view)
    {
        await using var writer = new StringWriter();
        await _AvailabilitySchedules.Create(view).RenderAsync(writer);
        return Readable(writer.ToString());
    }
}

/// <summary>What the availability routes answer everyone they are not for, as every coach-only Calendly route does.</summary>
[InheritsTests]
[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed class AvailabilityRefusalTests(AppFixture app)
    : CoachCalendlyRefusalTests(app, AvailabilityTests.Api, "/availability", "Availability is for coaches");
