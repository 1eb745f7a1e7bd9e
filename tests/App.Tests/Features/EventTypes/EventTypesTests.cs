using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using App.Infrastructure.Web;
using App.Tests.Support;
using static App.Tests.Support.ApiResponses;

namespace App.Tests.Features.EventTypes;

[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed partial class EventTypesTests(AppFixture app)
{
    internal const string Api = "/api/calendly/events/types";

    /// <summary>A coach connected to a fresh simulated account: a one-on-one "30 Minute Meeting" and a "Group Session".</summary>
    private async Task<(ConnectedCoaches.ConnectedCoach Coach, Browser Browser)> CoachAsync()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        return (coach, await ConnectedCoaches.SignedInAsync(app.Host, coach.ExternalId, "coach"));
    }

    private static async Task<JsonElement> DataOf(HttpResponseMessage response)
    {
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        return (await Browser.JsonAsync(response)).GetProperty("data");
    }

    [Test]
    public async Task A_connected_coach_gets_their_event_types_from_Calendly()
    {
        var (coach, browser) = await CoachAsync();

        var data = await DataOf(await browser.GetAsync(Api));

        var items = data.GetProperty("items").EnumerateArray().ToList();
        await Assert.That(items.Select(i => i.GetProperty("uri").GetString()!).ToList()).IsEquivalentTo(coach.Account.EventTypes);
        await Assert.That(data.GetProperty("nextPageToken").ValueKind).IsEqualTo(JsonValueKind.Null);
        var meeting = items.Single(i => i.GetProperty("name").GetString() == "30 Minute Meeting");
        await Assert.That(meeting.GetProperty("slug").GetString()).IsEqualTo("30min");
        await Assert.That(meeting.GetProperty("duration").GetInt32()).IsEqualTo(30);
        await Assert.That(meeting.GetProperty("kind").GetString()).IsEqualTo("solo");
        await Assert.That(meeting.GetProperty("active").GetBoolean()).IsTrue();
        await Assert.That(meeting.GetProperty("schedulingUrl").GetString()).IsEqualTo(coach.Account.SchedulingUrl + "/30min");
        await Assert.That(meeting.GetProperty("color").GetString()).StartsWith("#");
        await Assert.That(meeting.GetProperty("description").GetString()).StartsWith("30 Minute Meeting with ");
        var group = items.Single(i => i.GetProperty("name").GetString() == "Group Session");
        await Assert.That(group.GetProperty("kind").GetString()).IsEqualTo("group");
        await Assert.That(group.GetProperty("duration").GetInt32()).IsEqualTo(60);
    }

    [Test]
    public async Task Pages_of_one_followed_by_nextPageToken_give_every_event_type_exactly_once()
    {
        var (coach, browser) = await CoachAsync();
        var seen = new List<string>();
        string? pageToken = null;
        var pages = 0;
        do
        {
            var url = Api + "?count=1" + (pageToken is null ? "" : "&pageToken=" + Uri.EscapeDataString(pageToken));
            var data = await DataOf(await browser.GetAsync(url));
            var items = data.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("uri").GetString()!).ToList();
            await Assert.That(items.Count).IsEqualTo(1);
            seen.AddRange(items);
            pageToken = data.GetProperty("nextPageToken").GetString();
        }
        while (pageToken is not null && ++pages < 10);

        await Assert.That(seen).IsEquivalentTo(coach.Account.EventTypes);
        await Assert.That(seen.Distinct().Count()).IsEqualTo(seen.Count);
    }

    [Test]
    [Arguments("0")]
    [Arguments("101")]
    [Arguments("-5")]
    public async Task A_count_outside_1_to_100_is_refused_with_the_field_named(string count)
    {
        var (_, browser) = await CoachAsync();
        var error = await ErrorOf(await browser.GetAsync($"{Api}?count={count}"), HttpStatusCode.BadRequest, "validation_failed");
        await Assert.That(error.GetProperty("details").GetProperty("count")[0].GetString()).IsEqualTo("must be a whole number from 1 to 100.");
    }

    [Test]
    public async Task A_count_that_is_not_a_number_is_a_validation_failure_naming_it()
    {
        var (_, browser) = await CoachAsync();
        var error = await ErrorOf(await browser.GetAsync($"{Api}?count=abc"), HttpStatusCode.BadRequest, "validation_failed");
        await Assert.That(error.GetProperty("message").GetString()).Contains("Count");
    }

    [Test]
    public async Task A_page_token_Calendly_did_not_issue_is_rejected_as_Calendly_says()
    {
        var (_, browser) = await CoachAsync();
        var error = await ErrorOf(await browser.GetAsync($"{Api}?pageToken=forged"), HttpStatusCode.BadRequest, "calendly_rejected");
        await Assert.That(error.GetProperty("details")[0].GetProperty("parameter").GetString()).IsEqualTo("page_token");
    }

    [Test]
    public async Task The_page_shows_the_list_in_the_layout_and_htmx_gets_the_list_alone()
    {
        var (_, browser) = await CoachAsync();

        var page = await browser.GetAsync("/event-types");
        var fragment = await browser.GetAsync("/event-types", htmx: true);

        await Assert.That(page.StatusCode).IsEqualTo(HttpStatusCode.OK);
        var pageHtml = await page.Content.ReadAsStringAsync();
        await Assert.That(pageHtml).Contains("<html");
        await Assert.That(pageHtml).Contains("<h1>Event types</h1>");
        await Assert.That(pageHtml).Contains("30 Minute Meeting");
        await Assert.That(fragment.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(fragment.Headers.Vary.ToString()).Contains("HX-Request");
        var fragmentHtml = await fragment.Content.ReadAsStringAsync();
        await Assert.That(fragmentHtml).DoesNotContain("<html");
        await Assert.That(fragmentHtml).StartsWith("<section id=\"event-types\"");
        await Assert.That(fragmentHtml).Contains("Group Session");
        await Assert.That(fragmentHtml).DoesNotContain("Load more");
    }

    [Test]
    public async Task Load_more_is_a_link_to_the_next_page_that_htmx_appends_in_place()
    {
        var (_, browser) = await CoachAsync();

        var first = await (await browser.GetAsync("/event-types?count=1", htmx: true)).Content.ReadAsStringAsync();
        var more = LoadMore().Match(first);
        await Assert.That(more.Success).IsTrue();
        var href = WebUtility.HtmlDecode(more.Groups["href"].Value);
        await Assert.That(href).StartsWith("/event-types?count=1&pageToken=");
        await Assert.That(WebUtility.HtmlDecode(more.Groups["get"].Value)).IsEqualTo(href);
        await Assert.That(first).Contains("30 Minute Meeting");
        await Assert.That(first).DoesNotContain("Group Session");

        // Without JavaScript the link opens the next page in full; htmx asks for the same URL and appends its items.
        var next = await browser.GetAsync(href);
        var nextHtml = await next.Content.ReadAsStringAsync();
        await Assert.That(nextHtml).Contains("<html");
        await Assert.That(nextHtml).Contains("Group Session");
        await Assert.That(nextHtml).Contains("Back to the first page");
        var appended = await (await browser.GetAsync(href, htmx: true)).Content.ReadAsStringAsync();
        await Assert.That(appended).Contains("Group Session");
        await Assert.That(appended).DoesNotContain("30 Minute Meeting");
        await Assert.That(appended).DoesNotContain("Load more");
    }

    [Test]
    public async Task The_list_is_a_card_on_the_availability_page()
    {
        var card = PageContributions.PartsOf(PagePlaces.Availability).Single(part => part.Id == "event-types");
        await Assert.That(card.Href).IsEqualTo("/event-types");
        await Assert.That(card.Title).IsEqualTo("Your event types");
    }

    [Test]
    public async Task The_route_documents_Calendly_s_errors_in_the_envelope() =>
        await ApiDocument.AssertDocumentsUpstreamErrorsAsync(app, "get", "/api/calendly/events/types");

    [GeneratedRegex("<li class=\"load-more\">\\s*<a class=\"button\" href=\"(?<href>[^\"]+)\" hx-get=\"(?<get>[^\"]+)\" hx-select=\"#event-type-list > li\" hx-target=\"closest li\" hx-swap=\"outerHTML\">Load more</a>")]
    private static partial Regex LoadMore();
}

/// <summary>What the event-type routes answer everyone they are not for, as every coach-only Calendly route does.</summary>
[InheritsTests]
[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed class EventTypesRefusalTests(AppFixture app)
    : CoachCalendlyRefusalTests(app, EventTypesTests.Api, "/event-types", "Event types are for coaches");
