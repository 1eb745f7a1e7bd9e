using App.Tests.Support;
using Dapper;
using static App.Tests.Support.SimulatedSessions;

namespace App.Tests.Features.Dashboard;

/// <summary>The dashboard speaks to the person: their next session in their zone, and the one thing worth doing now.</summary>
[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed class DashboardTests(AppFixture app)
{
    private static readonly DateTimeOffset FarAhead = new(2031, 1, 13, 17, 0, 0, TimeSpan.Zero);

    private async Task<long> CoachAsync(string name, string timeZone)
    {
        var coachId = await ConnectedCoaches.CreateUserAsync(app.Database, $"coach-{Guid.NewGuid():N}", "coach");
        await using var db = await app.Database.OpenAsync();
        await db.ExecuteAsync("update users set name = @Name, time_zone = @TimeZone where id = @Id", new { Name = name, TimeZone = timeZone, Id = coachId });
        return coachId;
    }

    [Test]
    public async Task A_realtor_reads_their_next_session_in_their_zone_with_the_coach_s_time_beside_it()
    {
        var browser = app.NewBrowser();
        await browser.SignInAsync($"realtor-{Guid.NewGuid():N}"[..20], "dash@example.test", "realtor", "America/Los_Angeles");
        var realtorId = await SignedInUserModule.UserIdAsync(browser);
        var coachId = await CoachAsync("Casey Rivera", "Europe/Paris");
        await InsertSessionAsync(app.Database, MadeUpSession(coachId, realtorId, FarAhead.AddDays(7)));
        await InsertSessionAsync(app.Database, MadeUpSession(coachId, realtorId, FarAhead));

        var html = await (await browser.GetAsync("/dashboard")).Content.ReadAsStringAsync();

        // 17:00 UTC is 09:00 in Los Angeles (PST) and 18:00 in Paris (CET).
        await Assert.That(html).Contains("Monday 13 January, 09:00</time>–09:30");
        await Assert.That(html).Contains("30 Minute Meeting with <strong>Casey Rivera</strong>");
        await Assert.That(html).Contains("Mon 13 Jan, 18:00 for the coach (Europe/Paris)");
        await Assert.That(html).Contains("See all 2 upcoming sessions");
        await Assert.That(html).Contains("href=\"/coaches\">Book another session");
        // Nothing an administrator reads and a realtor does not need.
        await Assert.That(html).DoesNotContain("Calendly mode");
        await Assert.That(html).DoesNotContain("<dt>Role</dt>");
        await Assert.That(html).DoesNotContain("Updated");
    }

    [Test]
    public async Task A_realtor_without_sessions_is_sent_to_find_a_coach()
    {
        var browser = app.NewBrowser();
        await browser.SignInAsync($"realtor-{Guid.NewGuid():N}"[..20], "new@example.test", "realtor");
        var html = await (await browser.GetAsync("/dashboard")).Content.ReadAsStringAsync();
        await Assert.That(html).Contains("No upcoming sessions.");
        await Assert.That(html).Contains("href=\"/coaches\">Find a coach and book a time");
    }

    [Test]
    [NeedsSlices("Status")]
    public async Task A_coach_without_Calendly_is_asked_once_to_connect_it_and_reads_the_invitee_of_their_next_session()
    {
        var externalId = $"coach-{Guid.NewGuid():N}";
        var browser = await ConnectedCoaches.SignedInAsync(app.Host, externalId, "coach");
        var coachId = await SignedInUserModule.UserIdAsync(browser);
        await InsertSessionAsync(app.Database, MadeUpSession(coachId, null, FarAhead));

        var html = await (await browser.GetAsync("/dashboard")).Content.ReadAsStringAsync();

        // The connection card, which the page loads below the panel, asks; the panel does not ask again.
        await Assert.That(html).DoesNotContain("Connect Calendly");
        await Assert.That(html).Contains("hx-get=\"/calendly/status\" hx-trigger=\"load\"");
        var card = await (await browser.GetAsync("/calendly/status", htmx: true)).Content.ReadAsStringAsync();
        await Assert.That(System.Text.RegularExpressions.Regex.Count(card, "Connect Calendly")).IsEqualTo(1);
        await Assert.That(html).Contains("30 Minute Meeting with <strong>Rita Realtor</strong>");
        // The coach's own zone (UTC here): no second time.
        await Assert.That(html).Contains("Monday 13 January, 17:00</time>–17:30");
        await Assert.That(html).DoesNotContain("for the coach");
    }
}
