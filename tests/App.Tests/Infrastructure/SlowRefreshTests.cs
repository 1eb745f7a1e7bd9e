using System.Net;
using App.Tests.Support;
using Dapper;
using Npgsql;

namespace App.Tests.Infrastructure;

/// <summary>
/// One coach's slow token answer must not take the instance down: requests for that coach wait for the one refresh in
/// flight without holding a database connection each, and everyone else (here, /readyz) does not notice.
/// </summary>
public sealed class SlowRefreshTests
{
    [Test]
    [NeedsSlices("EventTypes", "Health")]
    public async Task Requests_waiting_for_one_coach_s_slow_refresh_share_it_and_leave_the_pool_to_everyone_else()
    {
        await using var calendly = await IsolatedCalendly.StartAsync();
        // A small pool that gives up quickly, so that requests each holding a connection would run out of it.
        var database = new NpgsqlConnectionStringBuilder(calendly.Database.ConnectionString) { MaxPoolSize = 6, Timeout = 2 }.ConnectionString;
        var settings = calendly.Simulator.AppSettings();
        settings["CALENDLY_TIMEOUT_SECONDS"] = "20";
        settings["CALENDLY_ATTEMPT_TIMEOUT_SECONDS"] = "20";
        await using var host = await AppHost.StartAsync(database, settings);
        var coach = await ConnectedCoaches.ConnectAsync(host, calendly.Database, calendly.Simulator);
        var browser = await ConnectedCoaches.SignedInAsync(host, coach.ExternalId, "coach");
        await using (var db = await calendly.Database.OpenAsync())
            await db.ExecuteAsync("update calendly_integrations set expires_at = now() + interval '1 minute' where user_id = @UserId", new { coach.UserId });
        // Calendly's token endpoint answers, but its body trickles for 5 seconds.
        await calendly.Simulator.SetFaultsAsync(new { slowBodyMs = 5000, endpoints = new[] { "/oauth/token" } });

        var requests = Enumerable.Range(0, 20).Select(_ => browser.GetAsync("/api/calendly/events/types")).ToList();
        await Task.Delay(1000);
        var ready = await host.Server.CreateClient().GetAsync("/readyz");
        var answers = await Task.WhenAll(requests);

        await Assert.That(ready.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(answers.Select(a => a.StatusCode).Distinct()).IsEquivalentTo([HttpStatusCode.OK]);
        await Assert.That(await calendly.Simulator.CountAsync("POST /oauth/token")).IsEqualTo(1);
    }

    [Test]
    [NeedsSlices("EventTypes")]
    public async Task A_stopping_instance_saves_the_refresh_in_flight_before_it_stops()
    {
        await using var calendly = await IsolatedCalendly.StartAsync();
        var settings = calendly.Simulator.AppSettings();
        settings["CALENDLY_TIMEOUT_SECONDS"] = "20";
        settings["CALENDLY_ATTEMPT_TIMEOUT_SECONDS"] = "20";
        var host = await calendly.StartAppAsync(settings);
        var coach = await ConnectedCoaches.ConnectAsync(host, calendly.Database, calendly.Simulator);
        var browser = await ConnectedCoaches.SignedInAsync(host, coach.ExternalId, "coach");
        await using var db = await calendly.Database.OpenAsync();
        await db.ExecuteAsync("update calendly_integrations set expires_at = now() + interval '1 minute' where user_id = @UserId", new { coach.UserId });
        await calendly.Simulator.SetFaultsAsync(new { slowBodyMs = 3000, endpoints = new[] { "/oauth/token" } });

        // A request starts a refresh; Calendly has it (and rotates) but its answer takes 3 s; then a deploy stops the app.
        _ = browser.GetAsync("/api/calendly/events/types");
        await Task.Delay(1000);
        await host.StopAsync();

        var saved = await db.ExecuteScalarAsync<DateTimeOffset?>("select last_refreshed_at from calendly_integrations where user_id = @UserId",
            new { coach.UserId });
        await Assert.That(saved).IsNotNull();
    }
}
