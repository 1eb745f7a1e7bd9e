using System.Net;
using App.Infrastructure.Caching;
using App.Infrastructure.Web;
using App.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace App.Tests.Features.LiveUpdates;

/// <summary>
/// GET /live-updates: each person's stream carries their own sessions' changes and the free times of the coaches
/// their page follows, nothing else; it survives a database reconnect by telling pages to refresh, and ends when the
/// instance stops.
/// </summary>
[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed class LiveUpdatesTests(AppFixture app)
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(10);

    [Test]
    public async Task A_session_booked_and_canceled_reaches_its_coach_and_its_realtor_and_no_one_else()
    {
        var (coach, coachId) = await UserAsync("coach");
        var (realtor, realtorId) = await UserAsync("realtor");
        var (bystander, bystanderId) = await UserAsync("realtor");
        await using var coachStream = await EventStream.OpenAsync(coach, "/live-updates");
        await using var realtorStream = await EventStream.OpenAsync(realtor, "/live-updates");
        await using var bystanderStream = await EventStream.OpenAsync(bystander, "/live-updates");

        var session = new SimulatedSessions.SessionRow(coachId, realtorId, $"https://api.calendly.com/scheduled_events/{Guid.NewGuid():N}",
            $"https://api.calendly.com/invitees/{Guid.NewGuid():N}", DateTimeOffset.UtcNow.AddDays(2));
        await SimulatedSessions.InsertSessionAsync(app.Database, session);

        await coachStream.WaitForAsync("sessions-changed", Soon);
        await realtorStream.WaitForAsync("sessions-changed", Soon);

        // Canceled: the realtor hears of it again.
        await using (var db = await app.Database.OpenAsync())
            await db.ExecuteAsync("update sessions set status = 'canceled' where invitee_uri = @InviteeUri", session);
        for (var deadline = DateTime.UtcNow + Soon; Changes(realtorStream) < 2 && DateTime.UtcNow < deadline; await Task.Delay(20)) { }
        await Assert.That(Changes(realtorStream)).IsEqualTo(2);

        // The bystander's stream heard nothing of it: the first change it carries is its own session's, booked after.
        await SimulatedSessions.InsertSessionAsync(app.Database, session with
        {
            RealtorId = bystanderId, InviteeUri = $"https://api.calendly.com/invitees/{Guid.NewGuid():N}",
        });
        await bystanderStream.WaitForAsync("sessions-changed", Soon);
        await Assert.That(Changes(bystanderStream)).IsEqualTo(1);
        await Assert.That(bystanderStream.Text).DoesNotContain(session.InviteeUri).And.DoesNotContain("Rita").And.DoesNotContain("rita@");
    }

    [Test]
    public async Task A_stream_hears_that_the_free_times_of_the_coaches_it_follows_changed_and_of_no_other_coach()
    {
        var (realtor, _) = await UserAsync("realtor");
        var followed = Random.Shared.NextInt64(1_000_000, 2_000_000);
        var other = followed + 1;
        await using var stream = await EventStream.OpenAsync(realtor, $"/live-updates?coach={followed}");
        var cache = app.Host.Services.GetRequiredService<ClusterCache>();

        // Announced in this order, heard in this order: by the time the followed coach's change arrives, the other's would have.
        await cache.EvictAsync(CacheTags.FreeTimesOfCoach(other));
        await cache.EvictAsync(CacheTags.FreeTimesOfCoach(followed));

        var heard = await stream.WaitForAsync($"free-times-changed-{followed}", Soon);
        await Assert.That(stream.Events.Select(e => e.Name)).DoesNotContain($"free-times-changed-{other}");
        await Assert.That(heard.Data).DoesNotContain("@");
    }

    [Test]
    [NeedsSlices("Scheduled")]
    public async Task A_change_between_rendering_a_page_and_opening_its_stream_is_the_stream_s_first_event()
    {
        var (realtor, realtorId) = await UserAsync("realtor");
        var (_, coachId) = await UserAsync("coach");
        var followed = Random.Shared.NextInt64(2_000_000, 3_000_000);
        var unchanged = followed + 1;
        // Beyond the instance's first second: a page rendered before it (by this instance or, clocks differing a little,
        // another) could have missed anything, and its stream is told that everything changed.
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        var page = await (await realtor.GetAsync("/sessions")).Content.ReadAsStringAsync();
        var stream = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(page, "sse-connect=\"([^\"]+)\"").Groups[1].Value);
        await Assert.That(stream).StartsWith("/live-updates?since=");

        // Booked, and a followed coach's free times changed, after the page was rendered and before its stream opens (as
        // another tab's stream, open all along, shows: the instance has heard of both).
        await using (var witness = await EventStream.OpenAsync(realtor, $"/live-updates?coach={followed}"))
        {
            await SimulatedSessions.InsertSessionAsync(app.Database, new SimulatedSessions.SessionRow(coachId, realtorId,
                $"https://api.calendly.com/scheduled_events/{Guid.NewGuid():N}", $"https://api.calendly.com/invitees/{Guid.NewGuid():N}",
                DateTimeOffset.UtcNow.AddDays(1)));
            await app.Host.Services.GetRequiredService<ClusterCache>().EvictAsync(CacheTags.FreeTimesOfCoach(followed));
            await witness.WaitForAsync("sessions-changed", Soon);
            await witness.WaitForAsync($"free-times-changed-{followed}", Soon);
        }

        await using var late = await EventStream.OpenAsync(realtor, $"{stream}&coach={followed}&coach={unchanged}");
        await late.WaitForAsync("sessions-changed", Soon);
        await late.WaitForAsync($"free-times-changed-{followed}", Soon);
        await Assert.That(late.Events.Select(e => e.Name)).DoesNotContain($"free-times-changed-{unchanged}");

        // A page rendered longer ago than the instance remembers is told that everything it shows changed.
        var longAgo = DateTimeOffset.UtcNow.AddMinutes(-11).ToUnixTimeMilliseconds();
        await using (var old = await EventStream.OpenAsync(realtor, $"/live-updates?since={longAgo}&coach={unchanged}"))
            await old.WaitForAsync($"free-times-changed-{unchanged}", Soon);

        // A page rendered now has nothing to catch up on.
        var now = DateTimeOffset.UtcNow.AddSeconds(2).ToUnixTimeMilliseconds();
        await using var fresh = await EventStream.OpenAsync(realtor, $"/live-updates?since={now}&coach={followed}");
        await Task.Delay(300);
        await Assert.That(fresh.Events.Select(e => e.Name)).IsEquivalentTo(["open"]);
    }

    [Test]
    public async Task Until_the_instance_listens_a_stream_is_told_that_everything_changed_and_then_only_what_did()
    {
        var hub = new App.Features.LiveUpdates.LiveUpdateHub();
        long InAMoment() => DateTimeOffset.UtcNow.AddSeconds(2).ToUnixTimeMilliseconds();

        // Not listening yet: a change made now would reach no one, so a page of any age may have missed one.
        using (var early = hub.Subscribe(1, [7], InAMoment()))
        {
            await Assert.That(await early.NextAsync(Soon, CancellationToken.None)).IsEqualTo(PageEvents.SessionsChanged);
            await Assert.That(await early.NextAsync(Soon, CancellationToken.None)).IsEqualTo(LiveEvents.FreeTimesChanged(7));
        }

        hub.Listening();
        using var later = hub.Subscribe(1, [7], InAMoment());
        await Assert.That(await later.NextAsync(TimeSpan.FromMilliseconds(200), CancellationToken.None)).IsNull();
    }

    [Test]
    [Arguments("/live-updates?since=-5")]
    [Arguments("/live-updates?since=yesterday")]
    [Arguments("/live-updates?coach=abc")]
    [Arguments("/live-updates?coach=0")]
    [Arguments("/live-updates?coach=7&coach=-7")]
    public async Task Coaches_that_are_not_ids_or_a_since_that_is_not_a_time_are_refused_with_an_error_page_as_pages_refuse(string url)
    {
        var (realtor, _) = await UserAsync("realtor");
        var response = await realtor.GetAsync(url);
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(response.Content.Headers.ContentType?.MediaType).IsEqualTo("text/html");
    }

    [Test]
    public async Task More_coaches_than_a_page_holds_are_refused()
    {
        var (realtor, _) = await UserAsync("realtor");
        var url = "/live-updates?" + string.Join("&", Enumerable.Range(1, LiveEvents.MaxCoaches + 1).Select(id => $"coach={id}"));
        var response = await realtor.GetAsync(url);
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(await response.Content.ReadAsStringAsync()).Contains("at most 100 coaches");
    }

    [Test]
    public async Task Nobody_signed_in_gets_no_stream_but_the_way_to_sign_in()
    {
        var response = await app.NewBrowser().GetAsync("/live-updates");
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Redirect);
        await Assert.That(response.Headers.Location?.OriginalString).Contains("/dev/sign-in");
    }

    [Test]
    [NeedsSlices("Scheduled")]
    public async Task The_sessions_page_opens_the_stream_and_its_list_refreshes_from_a_route_that_shows_what_changed_since()
    {
        var (realtor, realtorId) = await UserAsync("realtor");
        var (_, coachId) = await UserAsync("coach");
        var page = await (await realtor.GetAsync("/sessions")).Content.ReadAsStringAsync();
        await Assert.That(page).Contains("hx-ext=\"sse\" sse-connect=\"/live-updates?since=");
        var refresh = System.Text.RegularExpressions.Regex.Match(page,
            "id=\"sessions-poll\" hx-get=\"([^\"]+)\" hx-trigger=\"sse:sessions-changed\"");
        await Assert.That(refresh.Success).IsTrue();

        // What the live event (or, with the stream closed, site.js's polling) fetches shows a session booked since.
        var eventUri = $"https://api.calendly.com/scheduled_events/{Guid.NewGuid():N}";
        await SimulatedSessions.InsertSessionAsync(app.Database, new SimulatedSessions.SessionRow(coachId, realtorId, eventUri,
            $"https://api.calendly.com/invitees/{Guid.NewGuid():N}", DateTimeOffset.UtcNow.AddDays(1)));
        var list = await (await realtor.GetAsync(WebUtility.HtmlDecode(refresh.Groups[1].Value), htmx: true)).Content.ReadAsStringAsync();
        await Assert.That(list).Contains($"session-{eventUri.Split('/')[^1]}");
    }

    [Test]
    [NeedsSlices("Scheduled", "Dashboard", "Coaches", "Account")]
    public async Task Pages_that_show_what_others_change_open_the_stream_and_others_do_not()
    {
        var (realtor, _) = await UserAsync("realtor");
        foreach (var path in new[] { "/sessions", "/dashboard", "/coaches" })
            await Assert.That(await (await realtor.GetAsync(path)).Content.ReadAsStringAsync()).Contains("sse-connect=\"/live-updates");
        await Assert.That(await (await realtor.GetAsync("/settings")).Content.ReadAsStringAsync()).DoesNotContain("sse-connect");
    }

    [Test]
    public async Task After_the_database_connection_drops_open_streams_are_told_to_refresh_what_they_show()
    {
        await using var calendly = await IsolatedCalendly.StartAsync();
        var (proxy, throughProxy) = TcpProxy.InFrontOf(calendly.Database.ConnectionString);
        await using var _ = proxy;
        await using var host = await AppHost.StartAsync(throughProxy, calendly.Simulator.AppSettings());
        var realtor = await ConnectedCoaches.SignedInAsync(host, $"realtor-{Guid.NewGuid():N}", "realtor");
        await using var stream = await EventStream.OpenAsync(realtor, "/live-updates?coach=7");

        // Changes made while this instance was not listening are lost to it: it cannot know what they were.
        proxy.Cut();
        proxy.Open();

        await stream.WaitForAsync("sessions-changed", Soon);
        await stream.WaitForAsync("free-times-changed-7", Soon);
    }

    [Test]
    public async Task A_stream_ends_as_soon_as_its_instance_begins_to_stop()
    {
        await using var calendly = await IsolatedCalendly.StartAsync();
        var host = await calendly.StartAppAsync();
        var realtor = await ConnectedCoaches.SignedInAsync(host, $"realtor-{Guid.NewGuid():N}", "realtor");
        await using var stream = await EventStream.OpenAsync(realtor, "/live-updates");

        var stopping = host.Services.GetRequiredService<IHostApplicationLifetime>();
        stopping.StopApplication();

        // Well within the host's shutdown timeout (the Calendly deadline plus 15 s), which a stream left open would use up.
        await stream.Ended.WaitAsync(TimeSpan.FromSeconds(5));
        await Assert.That(stream.Ended.IsCompletedSuccessfully).IsTrue();
    }

    private async Task<(Browser Browser, long UserId)> UserAsync(string role)
    {
        var browser = await ConnectedCoaches.SignedInAsync(app.Host, $"{role}-{Guid.NewGuid():N}", role);
        return (browser, await SignedInUserModule.UserIdAsync(browser));
    }

    private static int Changes(EventStream stream) => stream.Events.Count(e => e.Name == "sessions-changed");
}
