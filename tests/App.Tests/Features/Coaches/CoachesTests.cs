using System.Net;
using System.Text.Json;
using App.Tests.Support;

namespace App.Tests.Features.Coaches;

[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed class CoachesTests(AppFixture app)
{
    private async Task<Browser> RealtorAsync() =>
        await ConnectedCoaches.SignedInAsync(app.Host, $"realtor-{Guid.NewGuid():N}", "realtor");

    /// <summary>Every coach on every page, following nextPageToken to the end.</summary>
    private static async Task<List<JsonElement>> AllCoachesAsync(Browser browser, int count)
    {
        var all = new List<JsonElement>();
        string? token = null;
        do
        {
            var url = $"/api/coaches?count={count}" + (token is null ? "" : $"&pageToken={Uri.EscapeDataString(token)}");
            var data = (await Browser.JsonAsync(await browser.GetAsync(url))).GetProperty("data");
            all.AddRange(data.GetProperty("items").EnumerateArray());
            token = data.GetProperty("nextPageToken").GetString();
        }
        while (token is not null);
        return all;
    }

    [Test]
    public async Task A_realtor_sees_connected_coaches_with_their_bookable_event_types()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var coaches = await AllCoachesAsync(await RealtorAsync(), 100);

        var listed = coaches.Single(c => c.GetProperty("id").GetInt64() == coach.UserId);
        var eventTypes = listed.GetProperty("eventTypes").EnumerateArray().Select(t => t.GetProperty("uri").GetString()).ToList();
        await Assert.That(eventTypes).IsNotEmpty();
        await Assert.That(eventTypes.All(uri => coach.Account.EventTypes.Contains(uri!))).IsTrue();
        await Assert.That(listed.GetProperty("eventTypesAvailable").GetBoolean()).IsTrue();
    }

    [Test]
    public async Task Pages_of_one_list_every_coach_exactly_once()
    {
        await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var coaches = await AllCoachesAsync(await RealtorAsync(), 1);
        var ids = coaches.Select(c => c.GetProperty("id").GetInt64()).ToList();
        await Assert.That(ids.Count).IsGreaterThanOrEqualTo(2);
        await Assert.That(ids.Distinct().Count()).IsEqualTo(ids.Count);
        await Assert.That(ids).IsEquivalentTo(ids.Order());
    }

    [Test]
    [Arguments("count=0", "count")]
    [Arguments("count=101", "count")]
    [Arguments("pageToken=forged", "pageToken")]
    public async Task Bad_paging_is_a_validation_failure_naming_the_field(string query, string field)
    {
        var response = await (await RealtorAsync()).GetAsync($"/api/coaches?{query}");
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        var details = (await Browser.JsonAsync(response)).GetProperty("error").GetProperty("details");
        await Assert.That(details.TryGetProperty(field, out _)).IsTrue();
    }

    [Test]
    public async Task A_coach_whose_Calendly_is_down_is_listed_without_event_types_not_an_error()
    {
        // Down before the coach is visible: a parallel test listing coaches would otherwise cache their event types.
        var account = (await app.Simulator.CreateUsersAsync(1))[0];
        await app.Simulator.SetFaultsAsync(new { outage = true, user = account.Uri });
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator, account);
        try
        {
            var response = await (await RealtorAsync()).GetAsync("/api/coaches?count=100");
            await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
            var all = await AllCoachesAsync(await RealtorAsync(), 100);
            var listed = all.Single(c => c.GetProperty("id").GetInt64() == coach.UserId);
            await Assert.That(listed.GetProperty("eventTypesAvailable").GetBoolean()).IsFalse();
            // Named as Calendly names them (stored at connect), not by their sign-in email.
            await Assert.That(listed.GetProperty("name").GetString()).IsEqualTo(account.Name);
        }
        finally
        {
            await app.Simulator.Http.DeleteAsync($"_sim/faults?user={Uri.EscapeDataString(coach.Account.Uri)}");
        }
    }

    [Test]
    public async Task The_coaches_page_is_a_full_page_and_its_list_a_fragment()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var realtor = await RealtorAsync();
        var page = await (await realtor.GetAsync("/coaches?count=100")).Content.ReadAsStringAsync();
        await Assert.That(page).Contains("<html");
        await Assert.That(page).Contains($"id=\"coach-{coach.UserId}\"");
        await Assert.That(page).Contains("<dialog id=\"booking\"");
        var fragment = await (await realtor.GetAsync("/coaches?count=100", htmx: true)).Content.ReadAsStringAsync();
        await Assert.That(fragment).DoesNotContain("<html");
        await Assert.That(fragment).Contains("id=\"coach-list\"");
    }

    [Test]
    public async Task Signed_out_callers_are_refused()
    {
        var response = await app.NewBrowser().GetAsync("/api/coaches");
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Unauthorized);
    }
}
