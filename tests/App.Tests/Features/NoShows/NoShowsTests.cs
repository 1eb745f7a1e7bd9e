using System.Net;
using System.Text.Json;
using App.Tests.Support;
using Dapper;
using static App.Tests.Support.SimulatedSessions;

namespace App.Tests.Features.NoShows;

[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed class NoShowsTests(AppFixture app)
{
    private const string Mark = "/api/calendly/events/no-shows";
    private const string Undo = "/api/calendly/events/no-shows/undo";

    private async Task<string?> StoredNoShowAsync(string inviteeUri)
    {
        await using var db = await app.Database.OpenAsync();
        return await db.ExecuteScalarAsync<string?>("select no_show_uri from sessions where invitee_uri = @inviteeUri", new { inviteeUri });
    }

    [Test]
    public async Task The_hosting_coach_marks_a_no_show_and_takes_it_back()
    {
        var (coach, browser) = await CoachAsync(app);
        var booked = (await BookSlotsAsync(app.Simulator, coach, 1))[0];
        var (_, realtorId) = await RealtorAsync(app);
        await InsertBookingAsync(app.Database, coach.UserId, realtorId, booked);

        var marked = await browser.PostJsonAsync(Mark, new { inviteeUri = booked.InviteeUri });
        await Assert.That(marked.StatusCode).IsEqualTo(HttpStatusCode.OK);
        var noShowUri = (await DataAsync(marked)).GetProperty("noShowUri").GetString()!;
        await Assert.That(noShowUri).Contains("/invitee_no_shows/");
        await Assert.That(await NoShowAtCalendlyAsync(app.Simulator, coach, booked.InviteeUri)).IsEqualTo(noShowUri);
        await Assert.That(await StoredNoShowAsync(booked.InviteeUri)).IsEqualTo(noShowUri);

        var undone = await browser.PostJsonAsync(Undo, new { inviteeUri = booked.InviteeUri, noShowUri });
        await Assert.That(undone.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That((await DataAsync(undone)).GetProperty("noShowUri").ValueKind).IsEqualTo(JsonValueKind.Null);
        await Assert.That(await NoShowAtCalendlyAsync(app.Simulator, coach, booked.InviteeUri)).IsNull();
        await Assert.That(await StoredNoShowAsync(booked.InviteeUri)).IsNull();
    }

    [Test]
    public async Task Marking_the_same_invitee_twice_is_a_conflict()
    {
        var (coach, browser) = await CoachAsync(app);
        var booked = (await BookSlotsAsync(app.Simulator, coach, 1))[0];
        await browser.PostJsonAsync(Mark, new { inviteeUri = booked.InviteeUri });

        var again = await browser.PostJsonAsync(Mark, new { inviteeUri = booked.InviteeUri });
        await Assert.That(again.StatusCode).IsEqualTo(HttpStatusCode.Conflict);
    }

    [Test]
    public async Task Anyone_but_the_host_gets_the_answer_for_an_invitee_that_does_not_exist()
    {
        var (coach, browser) = await CoachAsync(app);
        var booked = (await BookSlotsAsync(app.Simulator, coach, 1))[0];
        var (_, otherCoach) = await CoachAsync(app);
        var (realtor, _) = await RealtorAsync(app);
        var unknown = booked.InviteeUri[..booked.InviteeUri.LastIndexOf('/')] + "/" + Guid.NewGuid();

        var answers = new[]
        {
            await otherCoach.PostJsonAsync(Mark, new { inviteeUri = booked.InviteeUri }),
            await realtor.PostJsonAsync(Mark, new { inviteeUri = booked.InviteeUri }),
            await browser.PostJsonAsync(Mark, new { inviteeUri = unknown }),
        };
        foreach (var answer in answers)
        {
            await Assert.That(answer.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
            await Assert.That((await ErrorAsync(answer)).GetProperty("message").GetString())
                .IsEqualTo("There is no such invitee among the events you host.");
        }
        var simulated = await EventAsync(app.Simulator, coach, booked.EventUuid);
        await Assert.That(simulated.GetProperty("status").GetString()).IsEqualTo("active");
    }

    [Test]
    public async Task A_no_show_of_another_invitee_cannot_be_taken_back_through_this_one()
    {
        var (coach, browser) = await CoachAsync(app);
        var booked = await BookSlotsAsync(app.Simulator, coach, 2);
        var noShowUri = (await DataAsync(await browser.PostJsonAsync(Mark, new { inviteeUri = booked[0].InviteeUri })))
            .GetProperty("noShowUri").GetString()!;

        var response = await browser.PostJsonAsync(Undo, new { inviteeUri = booked[1].InviteeUri, noShowUri });
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
        await Assert.That(await NoShowAtCalendlyAsync(app.Simulator, coach, booked[0].InviteeUri)).IsEqualTo(noShowUri);
    }

    [Test]
    [Arguments(Mark, "{}", "inviteeUri")]
    [Arguments(Mark, """{"inviteeUri":"https://api.calendly.test/scheduled_events/abc"}""", "inviteeUri")]
    [Arguments(Undo, """{"inviteeUri":"https://api.calendly.test/scheduled_events/a/invitees/b"}""", "noShowUri")]
    [Arguments(Undo, """{"inviteeUri":"x","noShowUri":"https://api.calendly.test/invitee_no_shows/n"}""", "inviteeUri")]
    public async Task An_invalid_request_is_refused_naming_the_field(string route, string body, string field)
    {
        var (_, browser) = await CoachAsync(app);
        var request = new HttpRequestMessage(HttpMethod.Post, route) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        var response = await browser.SendAsync(request);
        await AssertRefusedNamingAsync(response, field);
    }

    [Test]
    [NeedsSlices("Scheduled")]
    public async Task The_page_marks_a_no_show_and_its_row_reloads_with_the_undo_and_it_works_without_javascript()
    {
        var (coach, browser) = await CoachAsync(app);
        var booked = (await BookSlotsAsync(app.Simulator, coach, 1))[0];
        var token = await browser.AntiforgeryTokenAsync();

        var htmx = await browser.PostFormAsync("/sessions/no-shows", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["inviteeUri"] = booked.InviteeUri,
            ["returnUrl"] = "/sessions?status=active",
        }, htmx: true);
        // Done: no content, a toast, and the event on which the session's row fetches itself again.
        await Assert.That(htmx.StatusCode).IsEqualTo(HttpStatusCode.NoContent);
        var trigger = htmx.Headers.GetValues("HX-Trigger").Single();
        await Assert.That(trigger).Contains("Marked as a no-show.");
        await Assert.That(trigger).Contains("sessions-changed");
        var row = await (await browser.GetAsync($"/sessions/rows/{booked.EventUuid}", htmx: true)).Content.ReadAsStringAsync();
        await Assert.That(row.TrimStart()).StartsWith($"<tr id=\"session-{booked.EventUuid}\"");
        await Assert.That(row).Contains("<span class=\"badge no-show\">No-show</span>");
        await Assert.That(row).Contains("hx-post=\"/sessions/no-shows/undo\"");
        var noShowUri = (await NoShowAtCalendlyAsync(app.Simulator, coach, booked.InviteeUri))!;

        var plain = await browser.PostFormAsync("/sessions/no-shows/undo", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["inviteeUri"] = booked.InviteeUri,
            ["noShowUri"] = noShowUri,
            ["returnUrl"] = "/sessions?status=active",
        });
        await Assert.That(plain.StatusCode).IsEqualTo(HttpStatusCode.Redirect);
        await Assert.That(plain.Headers.Location!.ToString()).IsEqualTo("/sessions?status=active");
        await Assert.That(await NoShowAtCalendlyAsync(app.Simulator, coach, booked.InviteeUri)).IsNull();
    }

    [Test]
    public async Task A_return_address_off_the_sessions_page_is_not_followed()
    {
        var (coach, browser) = await CoachAsync(app);
        var booked = (await BookSlotsAsync(app.Simulator, coach, 1))[0];
        var token = await browser.AntiforgeryTokenAsync();

        var response = await browser.PostFormAsync("/sessions/no-shows", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["inviteeUri"] = booked.InviteeUri,
            ["returnUrl"] = "https://evil.example/sessions",
        });
        await Assert.That(response.Headers.Location!.ToString()).IsEqualTo("/sessions");
    }
}
