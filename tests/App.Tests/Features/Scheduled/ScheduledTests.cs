using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using App.Tests.Support;
using TUnit.Assertions.Enums;
using static App.Tests.Support.SimulatedSessions;

namespace App.Tests.Features.Scheduled;

[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed class ScheduledTests(AppFixture app)
{
    private const string Api = "/api/calendly/events/scheduled";

    /// <summary>Every item of the list, following nextPageToken to the end.</summary>
    private static async Task<List<JsonElement>> AllPagesAsync(Browser browser, string query)
    {
        var items = new List<JsonElement>();
        string? token = null;
        do
        {
            var url = $"{Api}?{query}" + (token is null ? "" : $"&pageToken={Uri.EscapeDataString(token)}");
            var response = await browser.GetAsync(url);
            if (response.StatusCode != HttpStatusCode.OK)
                throw new InvalidOperationException($"{url} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            var data = await DataAsync(response);
            items.AddRange(data.GetProperty("items").EnumerateArray());
            token = data.GetProperty("nextPageToken").GetString();
        }
        while (token is not null);
        return items;
    }

    private static string Uuid(JsonElement item) => item.GetProperty("uuid").GetString()!;

    private static DateTimeOffset Start(JsonElement item) => item.GetProperty("startTime").GetDateTimeOffset();

    [Test]
    public async Task A_coach_sees_their_simulated_bookings_with_their_invitees()
    {
        var (coach, browser) = await CoachAsync(app);
        var booked = await BookSlotsAsync(app.Simulator, coach, 2);

        var items = await AllPagesAsync(browser, "count=100");

        await Assert.That(items.Select(Uuid)).IsEquivalentTo(booked.Select(b => b.EventUuid));
        var first = items.Single(i => Uuid(i) == booked[0].EventUuid);
        await Assert.That(first.GetProperty("uri").GetString()).IsEqualTo(booked[0].EventUri);
        await Assert.That(first.GetProperty("name").GetString()).IsEqualTo("30 Minute Meeting");
        await Assert.That(first.GetProperty("status").GetString()).IsEqualTo("active");
        await Assert.That(Start(first)).IsEqualTo(booked[0].Start);
        await Assert.That(first.GetProperty("coach").GetProperty("calendlyUserUri").GetString()).IsEqualTo(coach.Account.Uri);
        await Assert.That(first.GetProperty("activeInvitees").GetInt32()).IsEqualTo(1);
        var invitee = first.GetProperty("invitees").EnumerateArray().Single();
        await Assert.That(invitee.GetProperty("uri").GetString()).IsEqualTo(booked[0].InviteeUri);
        await Assert.That(invitee.GetProperty("email").GetString()).IsEqualTo("invitee0@example.test");
        await Assert.That(invitee.GetProperty("name").GetString()).IsEqualTo("invitee0");
        await Assert.That(invitee.GetProperty("status").GetString()).IsEqualTo("active");
        await Assert.That(invitee.GetProperty("cancelUrl").GetString()).IsEqualTo(booked[0].CancelUrl);
        await Assert.That(invitee.GetProperty("rescheduleUrl").GetString()).IsEqualTo(booked[0].RescheduleUrl);
        await Assert.That(invitee.GetProperty("noShowUri").ValueKind).IsEqualTo(JsonValueKind.Null);
    }

    [Test]
    public async Task A_realtor_s_sessions_name_the_coach_by_their_Calendly_name_not_their_email()
    {
        var (realtor, realtorId) = await RealtorAsync(app);
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        await InsertSessionAsync(app.Database, MadeUpSession(coach.UserId, realtorId, DateTimeOffset.UtcNow.AddDays(1)));

        var item = (await AllPagesAsync(realtor, "")).Single();
        await Assert.That(item.GetProperty("coach").GetProperty("name").GetString()).IsEqualTo(coach.Account.Name);

        var html = await (await realtor.GetAsync("/sessions")).Content.ReadAsStringAsync();
        await Assert.That(html).Contains(WebUtility.HtmlEncode(coach.Account.Name));
        await Assert.That(html).DoesNotContain($"{coach.ExternalId}@example.test");
    }

    [Test]
    public async Task Upcoming_sessions_come_first_and_past_ones_say_completed()
    {
        var (realtor, realtorId) = await RealtorAsync(app);
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        await InsertSessionAsync(app.Database, MadeUpSession(coach.UserId, realtorId, DateTimeOffset.UtcNow.AddDays(-2)));
        var upcoming = MadeUpSession(coach.UserId, realtorId, DateTimeOffset.UtcNow.AddDays(2));
        await InsertSessionAsync(app.Database, upcoming);

        var html = await (await realtor.GetAsync("/sessions")).Content.ReadAsStringAsync();

        var upcomingAt = html.IndexOf("id=\"sessions-upcoming\"", StringComparison.Ordinal);
        var pastAt = html.IndexOf("id=\"sessions-past\"", StringComparison.Ordinal);
        await Assert.That(upcomingAt).IsGreaterThan(0);
        await Assert.That(pastAt).IsGreaterThan(upcomingAt);
        await Assert.That(html.IndexOf(upcoming.ScheduledEventUri.Split('/')[^1], StringComparison.Ordinal)).IsLessThan(pastAt);
        await Assert.That(html[pastAt..]).Contains("<span class=\"badge completed\">Completed</span>");
        await Assert.That(html).DoesNotContain(">Active<");
    }

    [Test]
    public async Task A_coach_s_pages_hold_each_event_once_in_order_in_both_directions()
    {
        var (coach, browser) = await CoachAsync(app);
        var booked = await BookSlotsAsync(app.Simulator, coach, 5);
        var expected = booked.OrderBy(b => b.Start).Select(b => b.EventUuid).ToList();

        var ascending = await AllPagesAsync(browser, "count=2");
        await Assert.That(ascending.Select(Uuid)).IsEquivalentTo(expected, CollectionOrdering.Matching);

        var descending = await AllPagesAsync(browser, "count=2&sort=startTime:desc");
        await Assert.That(descending.Select(Uuid)).IsEquivalentTo(Enumerable.Reverse(expected), CollectionOrdering.Matching);
    }

    [Test]
    public async Task A_coach_filters_by_status_and_start_time()
    {
        var (coach, browser) = await CoachAsync(app);
        var booked = (await BookSlotsAsync(app.Simulator, coach, 3)).OrderBy(b => b.Start).ToList();
        (await app.Simulator.Http.PostAsJsonAsync("_sim/cancellations", new { invitee = booked[0].InviteeUri, reason = "ill" }))
            .EnsureSuccessStatusCode();

        var canceled = await AllPagesAsync(browser, "status=canceled");
        await Assert.That(canceled.Select(Uuid)).IsEquivalentTo(new[] { booked[0].EventUuid });
        await Assert.That(canceled[0].GetProperty("cancellation").GetProperty("reason").GetString()).IsEqualTo("ill");

        var active = await AllPagesAsync(browser, "status=active");
        await Assert.That(active.Select(Uuid)).IsEquivalentTo(new[] { booked[1].EventUuid, booked[2].EventUuid });

        // minStartTime is inclusive, maxStartTime exclusive (as in Calendly).
        var window = await AllPagesAsync(browser, $"minStartTime={Stamp(booked[1].Start)}&maxStartTime={Stamp(booked[2].Start)}");
        await Assert.That(window.Select(Uuid)).IsEquivalentTo(new[] { booked[1].EventUuid });
    }

    [Test]
    [Arguments("count=0", "count")]
    [Arguments("count=101", "count")]
    [Arguments("count=abc", "count")]
    [Arguments("status=pending", "status")]
    [Arguments("sort=name:asc", "sort")]
    [Arguments("minStartTime=tomorrow", "minStartTime")]
    [Arguments("maxStartTime=2026-13-01", "maxStartTime")]
    [Arguments("minStartTime=2026-05-02&maxStartTime=2026-05-01", "maxStartTime")]
    [Arguments("pageToken=not-a-token", "pageToken")]
    public async Task Each_invalid_query_parameter_is_refused_and_named(string query, string field)
    {
        var (browser, _) = await RealtorAsync(app);
        var response = await browser.GetAsync($"{Api}?{query}");
        await AssertRefusedNamingAsync(response, field);
    }

    [Test]
    public async Task A_page_token_changed_by_the_caller_or_reused_with_other_filters_is_refused()
    {
        var (browser, realtorId) = await RealtorAsync(app);
        var coachId = await ConnectedCoaches.CreateUserAsync(app.Database, $"coach-{Guid.NewGuid():N}", "coach");
        for (var n = 0; n < 3; n++)
            await InsertSessionAsync(app.Database, MadeUpSession(coachId, realtorId, DateTimeOffset.UtcNow.AddDays(n + 1)));
        var token = (await DataAsync(await browser.GetAsync($"{Api}?count=1"))).GetProperty("nextPageToken").GetString()!;

        var tampered = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];
        var changed = await browser.GetAsync($"{Api}?count=1&pageToken={Uri.EscapeDataString(tampered)}");
        await Assert.That(changed.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That((await ErrorAsync(changed)).GetProperty("details").TryGetProperty("pageToken", out _)).IsTrue();

        var otherFilters = await browser.GetAsync($"{Api}?count=1&status=canceled&pageToken={Uri.EscapeDataString(token)}");
        await Assert.That(otherFilters.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);

        var (otherRealtor, _) = await RealtorAsync(app);
        var someoneElse = await otherRealtor.GetAsync($"{Api}?count=1&pageToken={Uri.EscapeDataString(token)}");
        await Assert.That(someoneElse.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task A_realtor_sees_only_the_sessions_they_booked()
    {
        var (alice, aliceId) = await RealtorAsync(app);
        var (bob, bobId) = await RealtorAsync(app);
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var tomorrow = DateTimeOffset.UtcNow.AddDays(1);
        var alices = MadeUpSession(coach.UserId, aliceId, tomorrow);
        await InsertSessionAsync(app.Database, alices);
        await InsertSessionAsync(app.Database, MadeUpSession(coach.UserId, bobId, tomorrow));
        await InsertSessionAsync(app.Database, MadeUpSession(coach.UserId, null, tomorrow)); // not attributed to anyone yet

        var items = await AllPagesAsync(alice, "");
        await Assert.That(items.Count).IsEqualTo(1);
        var item = items[0];
        await Assert.That(item.GetProperty("uri").GetString()).IsEqualTo(alices.ScheduledEventUri);
        await Assert.That(item.GetProperty("uuid").GetString()).IsEqualTo(alices.ScheduledEventUri.Split('/')[^1]);
        await Assert.That(item.GetProperty("coach").GetProperty("calendlyUserUri").GetString()).IsEqualTo(coach.Account.Uri);
        await Assert.That(item.GetProperty("coach").GetProperty("email").GetString()).IsEqualTo($"{coach.ExternalId}@example.test");
        await Assert.That(item.GetProperty("cancelUrl").GetString()).IsEqualTo(alices.CancelUrl);
        await Assert.That(item.GetProperty("rescheduleUrl").GetString()).IsEqualTo(alices.RescheduleUrl);
        await Assert.That(item.GetProperty("invitees")[0].GetProperty("uri").GetString()).IsEqualTo(alices.InviteeUri);

        await Assert.That((await AllPagesAsync(bob, "")).Count).IsEqualTo(1);
    }

    [Test]
    public async Task A_realtor_s_sessions_filter_sort_and_page_with_each_session_once()
    {
        var (browser, realtorId) = await RealtorAsync(app);
        var coachId = await ConnectedCoaches.CreateUserAsync(app.Database, $"coach-{Guid.NewGuid():N}", "coach");
        var day = new DateTimeOffset(2031, 3, 10, 9, 0, 0, TimeSpan.Zero);
        var rows = new List<SessionRow>();
        // Two sessions at the same time: the keyset's tie-break (the row id) must still give each once.
        foreach (var (offset, status) in new[] { (0, "active"), (0, "active"), (1, "canceled"), (2, "rescheduled"), (3, "active"), (30, "active") })
        {
            var row = MadeUpSession(coachId, realtorId, day.AddDays(offset), status);
            await InsertSessionAsync(app.Database, row);
            rows.Add(row);
        }
        string Event(JsonElement item) => item.GetProperty("uri").GetString()!;

        var inOrder = rows.Select(r => r.ScheduledEventUri).ToList();

        var all = await AllPagesAsync(browser, "count=2");
        await Assert.That(all.Select(Event)).IsEquivalentTo(inOrder, CollectionOrdering.Matching);

        var descending = await AllPagesAsync(browser, "count=4&sort=startTime:desc");
        await Assert.That(descending.Select(Event)).IsEquivalentTo(Enumerable.Reverse(inOrder), CollectionOrdering.Matching);

        var canceled = await AllPagesAsync(browser, "status=canceled");
        await Assert.That(canceled.Select(Event)).IsEquivalentTo(new[] { rows[2].ScheduledEventUri, rows[3].ScheduledEventUri });
        await Assert.That(canceled.All(i => i.GetProperty("status").GetString() == "canceled")).IsTrue();
        await Assert.That(canceled.All(i => i.GetProperty("cancelUrl").ValueKind == JsonValueKind.Null)).IsTrue();

        var window = await AllPagesAsync(browser, "count=1&minStartTime=2031-03-11&maxStartTime=2031-03-13T09:00:00Z");
        await Assert.That(window.Select(Event)).IsEquivalentTo(new[] { rows[2].ScheduledEventUri, rows[3].ScheduledEventUri });
    }

    [Test]
    public async Task Times_without_an_offset_are_read_in_the_caller_s_time_zone()
    {
        var browser = app.NewBrowser();
        await browser.SignInAsync($"realtor-{Guid.NewGuid():N}"[..20], "tz@example.test", "realtor", "America/New_York");
        var realtorId = await SignedInUserModule.UserIdAsync(browser);
        var coachId = await ConnectedCoaches.CreateUserAsync(app.Database, $"coach-{Guid.NewGuid():N}", "coach");
        // 03:00 UTC on 1 July is still 30 June in New York (UTC-4).
        await InsertSessionAsync(app.Database, MadeUpSession(coachId, realtorId, new DateTimeOffset(2031, 7, 1, 3, 0, 0, TimeSpan.Zero)));

        var local = await DataAsync(await browser.GetAsync($"{Api}?minStartTime=2031-07-01"));
        await Assert.That(local.GetProperty("items").GetArrayLength()).IsEqualTo(0);
        var utc = await DataAsync(await browser.GetAsync($"{Api}?minStartTime=2031-07-01T00:00:00Z"));
        await Assert.That(utc.GetProperty("items").GetArrayLength()).IsEqualTo(1);
    }

    [Test]
    [NeedsSlices("Account")]
    public async Task A_realtor_reads_the_coach_s_time_beside_their_own_when_the_coach_lives_elsewhere()
    {
        var browser = app.NewBrowser();
        await browser.SignInAsync($"realtor-{Guid.NewGuid():N}"[..20], "zones@example.test", "realtor", "America/New_York");
        var realtorId = await SignedInUserModule.UserIdAsync(browser);
        var coachId = await ConnectedCoaches.CreateUserAsync(app.Database, $"coach-{Guid.NewGuid():N}", "coach");
        await using (var db = await app.Database.OpenAsync())
            await Dapper.SqlMapper.ExecuteAsync(db, "update users set time_zone = 'Europe/Paris' where id = @coachId", new { coachId });
        // 15:00 UTC on 13 January 2031: 10:00 in New York, 16:00 in Paris.
        var row = MadeUpSession(coachId, realtorId, new DateTimeOffset(2031, 1, 13, 15, 0, 0, TimeSpan.Zero));
        await InsertSessionAsync(app.Database, row);

        var html = await (await browser.GetAsync("/sessions?minStartTime=2031-01-13&maxStartTime=2031-01-14")).Content.ReadAsStringAsync();
        await Assert.That(html).Contains("Mon 13 Jan 2031, 10:00</time>");
        await Assert.That(html).Contains("Mon 16:00 for the coach (Europe/Paris)");
        var item = (await DataAsync(await browser.GetAsync($"{Api}?minStartTime=2031-01-13&maxStartTime=2031-01-14"))).GetProperty("items")[0];
        await Assert.That(item.GetProperty("coach").GetProperty("timeZone").GetString()).IsEqualTo("Europe/Paris");

        // In the coach's own zone, one time is enough.
        var token = await browser.AntiforgeryTokenAsync();
        await browser.SendAsync(new HttpRequestMessage(HttpMethod.Put, "/api/me/time-zone")
        {
            Content = JsonContent.Create(new { timeZone = "Europe/Paris" }), Headers = { { "X-CSRF-TOKEN", token } },
        });
        var same = await (await browser.GetAsync("/sessions?minStartTime=2031-01-13&maxStartTime=2031-01-14")).Content.ReadAsStringAsync();
        await Assert.That(same).Contains("Mon 13 Jan 2031, 16:00</time>");
        await Assert.That(same).DoesNotContain("for the coach");
    }

    [Test]
    public async Task A_coach_without_Calendly_gets_calendly_not_connected()
    {
        var externalId = $"coach-{Guid.NewGuid():N}";
        var browser = await ConnectedCoaches.SignedInAsync(app.Host, externalId, "coach");
        var response = await browser.GetAsync(Api);
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Conflict);
        await Assert.That((await ErrorAsync(response)).GetProperty("code").GetString()).IsEqualTo("calendly_not_connected");
    }

    [Test]
    public async Task The_page_offers_a_coach_without_Calendly_to_connect_it()
    {
        var browser = await ConnectedCoaches.SignedInAsync(app.Host, $"coach-{Guid.NewGuid():N}", "coach");
        var response = await browser.GetAsync("/sessions");
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Conflict);
        var html = await response.Content.ReadAsStringAsync();
        await Assert.That(html).Contains("Calendly is not connected");
        await Assert.That(html).Contains("href=\"/api/calendly/oauth/connect\"");
    }

    [Test]
    public async Task A_broken_Calendly_answer_is_a_typed_upstream_error()
    {
        var (coach, browser) = await CoachAsync(app);
        await app.Simulator.SetFaultsAsync(new { malformedJson = true, user = coach.Account.Uri, endpoints = new[] { "GET /scheduled_events" } });
        try
        {
            var response = await browser.GetAsync(Api);
            await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.BadGateway);
            await Assert.That((await ErrorAsync(response)).GetProperty("code").GetString()).IsEqualTo("calendly_bad_response");
        }
        finally
        {
            await app.Simulator.Http.DeleteAsync($"_sim/faults?user={Uri.EscapeDataString(coach.Account.Uri)}");
        }
    }

    [Test]
    public async Task The_sessions_page_is_a_full_page_cold_and_the_list_alone_for_htmx_with_the_url_kept()
    {
        var (coach, browser) = await CoachAsync(app);
        var booked = await BookSlotsAsync(app.Simulator, coach, 3);

        var cold = await browser.GetAsync("/sessions?status=active&count=2&sort=startTime:desc");
        await Assert.That(cold.StatusCode).IsEqualTo(HttpStatusCode.OK);
        var page = await cold.Content.ReadAsStringAsync();
        await Assert.That(page).Contains("<html");
        await Assert.That(page).Contains("<form class=\"card filters\" method=\"get\" action=\"/sessions\"");
        await Assert.That(page).Contains("<option value=\"active\" selected=\"selected\">");
        await Assert.That(page).Contains("<option value=\"startTime:desc\" selected=\"selected\">");
        await Assert.That(page).Contains("name=\"count\" value=\"2\"");
        await Assert.That(page).Contains("id=\"sessions-list\"");
        // The next page link carries the filters (the same list, reloadable and bookmarkable).
        await Assert.That(page).Contains("href=\"/sessions?status=active&amp;sort=startTime%3Adesc&amp;count=2&amp;pageToken=");

        var partial = await browser.GetAsync("/sessions?status=active&count=2&sort=startTime:desc&minStartTime=", htmx: true);
        var list = await partial.Content.ReadAsStringAsync();
        await Assert.That(list).DoesNotContain("<html");
        await Assert.That(list).StartsWith("<section id=\"sessions-list\"");
        await Assert.That(partial.Headers.GetValues("HX-Push-Url").Single()).IsEqualTo("/sessions?status=active&sort=startTime%3Adesc&count=2");
        await Assert.That(partial.Headers.Vary.ToString()).Contains("HX-Request");
        var latest = booked.OrderByDescending(b => b.Start).First();
        await Assert.That(list).Contains($"id=\"session-{latest.EventUuid}\"");
        await Assert.That(list).Contains("invitee2@example.test");
        // The list polls its own route, which replaces the history entry instead of adding one every 30 seconds.
        await Assert.That(list).Contains("hx-get=\"/sessions/refresh?status=active&amp;sort=startTime%3Adesc&amp;count=2\"");
        var polled = await browser.GetAsync("/sessions/refresh?status=active&count=2&sort=startTime:desc", htmx: true);
        await Assert.That(polled.Headers.GetValues("HX-Replace-Url").Single()).IsEqualTo("/sessions?status=active&sort=startTime%3Adesc&count=2");
        await Assert.That(polled.Headers.Contains("HX-Push-Url")).IsFalse();
        await Assert.That(await polled.Content.ReadAsStringAsync()).Contains($"id=\"session-{latest.EventUuid}\"");
    }

    [Test]
    public async Task Invalid_filters_on_the_page_are_shown_with_the_form_not_as_json()
    {
        var (browser, _) = await RealtorAsync(app);
        var response = await browser.GetAsync("/sessions?minStartTime=soon");
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.UnprocessableEntity);
        var html = await response.Content.ReadAsStringAsync();
        await Assert.That(html).Contains("<html");
        await Assert.That(html).Contains("must be an ISO-8601 date or time");
        await Assert.That(html).Contains("value=\"soon\"");
    }

    [Test]
    [NeedsSlices("Cancel")]
    public async Task A_realtor_s_row_offers_reschedule_and_cancel_and_a_group_session_offers_their_own_cancel_link()
    {
        var (browser, realtorId) = await RealtorAsync(app);
        var coachId = await ConnectedCoaches.CreateUserAsync(app.Database, $"coach-{Guid.NewGuid():N}", "coach");
        var single = MadeUpSession(coachId, realtorId, DateTimeOffset.UtcNow.AddDays(1));
        var group = MadeUpSession(coachId, realtorId, DateTimeOffset.UtcNow.AddDays(2));
        await InsertSessionAsync(app.Database, single);
        await InsertSessionAsync(app.Database, group);
        await InsertSessionAsync(app.Database, MadeUpSession(coachId, null, group.StartTime) with { ScheduledEventUri = group.ScheduledEventUri });

        var html = await (await browser.GetAsync("/sessions", htmx: true)).Content.ReadAsStringAsync();
        await Assert.That(html).Contains($"href=\"{single.RescheduleUrl}\"");
        await Assert.That(html).Contains("hx-post=\"/sessions/cancel\"");
        await Assert.That(html).Contains($"name=\"uuid\" value=\"{single.ScheduledEventUri.Split('/')[^1]}\"");
        await Assert.That(html).Contains($"<a href=\"{group.CancelUrl}\" target=\"_blank\" rel=\"noopener\">Cancel my booking</a>");
        await Assert.That(html).DoesNotContain($"name=\"uuid\" value=\"{group.ScheduledEventUri.Split('/')[^1]}\"");
    }

    [Test]
    public async Task A_row_can_be_fetched_alone_by_its_owner_only()
    {
        var (coach, browser) = await CoachAsync(app);
        var booked = (await BookSlotsAsync(app.Simulator, coach, 1))[0];

        var row = await browser.GetAsync($"/sessions/rows/{booked.EventUuid}", htmx: true);
        await Assert.That(row.StatusCode).IsEqualTo(HttpStatusCode.OK);
        var html = await row.Content.ReadAsStringAsync();
        await Assert.That(html.TrimStart()).StartsWith($"<tr id=\"session-{booked.EventUuid}\"");
        await Assert.That(html).Contains("hx-trigger=\"sessions-changed\"");

        var (_, other) = await CoachAsync(app);
        await Assert.That((await other.GetAsync($"/sessions/rows/{booked.EventUuid}", htmx: true)).StatusCode).IsEqualTo(HttpStatusCode.NotFound);
        var (realtor, _) = await RealtorAsync(app);
        await Assert.That((await realtor.GetAsync($"/sessions/rows/{booked.EventUuid}", htmx: true)).StatusCode).IsEqualTo(HttpStatusCode.NotFound);
    }
}
