using System.Net;
using App.Infrastructure.Calendly;
using App.Infrastructure.Web;
using App.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace App.Tests.Features.Operations;

[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed class HealthPageTests(AppFixture app)
{
    [Test]
    public async Task Admins_see_the_charts_and_each_coach_with_the_action_their_state_needs()
    {
        var fine = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var lost = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        await using (var db = await app.Database.OpenAsync())
        {
            await db.ExecuteAsync("update calendly_integrations set status = 'needs_reconnect' where user_id = @UserId", new { lost.UserId });
            await db.ExecuteAsync("update calendly_integrations set webhook_state = 'active' where user_id = @UserId", new { fine.UserId });
        }
        var admin = await ConnectedCoaches.SignedInAsync(app.Host, $"admin-{Guid.NewGuid():N}", "admin");

        var response = await admin.GetAsync("/admin/health");
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        var page = await response.Content.ReadAsStringAsync();
        foreach (var chart in new[] { "webhook-lag", "webhook-backlog", "token-refreshes", "calendly-calls", "cache-hits" })
            await Assert.That(page).Contains($"<figure class=\"chart\" id=\"chart-{chart}\">");
        await Assert.That(page).Contains("<svg viewBox=");
        // The header links the page for admins.
        await Assert.That(page).Contains("href=\"/admin/health\"");
        await Assert.That(Row(page, lost.UserId)).Contains("Ask the coach to reconnect Calendly");
        await Assert.That(Row(page, fine.UserId)).Contains("<td data-label=\"Action\">None</td>");
        // Nothing inline for the coming Content-Security-Policy: no style attributes, no script.
        await Assert.That(page).DoesNotContain(" style=");
        await Assert.That(page).DoesNotContain("<script>");

        // htmx redraws the panels alone.
        var panels = await (await admin.GetAsync("/admin/health", htmx: true)).Content.ReadAsStringAsync();
        await Assert.That(panels).StartsWith("<div id=\"health-panels\"");
        await Assert.That(panels).DoesNotContain("<html");
    }

    [Test]
    public async Task Coaches_and_realtors_are_refused_and_not_shown_the_link()
    {
        foreach (var role in new[] { "coach", "realtor" })
        {
            var user = await ConnectedCoaches.SignedInAsync(app.Host, $"{role}-{Guid.NewGuid():N}", role);
            await Assert.That((await user.GetAsync("/admin/health")).StatusCode).IsEqualTo(HttpStatusCode.Forbidden);
            await Assert.That(await (await user.GetAsync(PageContributions.Home.Href)).Content.ReadAsStringAsync()).DoesNotContain("href=\"/admin/health\"");
        }
    }

    [Test]
    public async Task The_charts_draw_what_PostgreSQL_and_this_instance_recorded_in_the_last_hour()
    {
        // A database and host of its own, so that the figures are this test's alone.
        await using var database = await TestDatabase.CreateAsync();
        await using var simulator = await SimulatorServer.StartAsync();
        await using var host = await AppHost.StartAsync(database.ConnectionString, simulator.AppSettings());
        var admin = await ConnectedCoaches.SignedInAsync(host, $"admin-{Guid.NewGuid():N}", "admin");

        for (var i = 0; i < 2; i++) await SignedDeliveries.DeliverAsync(host);
        var coach = await ConnectedCoaches.ConnectAsync(host, database, simulator);
        await host.Services.GetRequiredService<CalendlyTokens>().RefreshAsync(coach.UserId,
            CalendlyTokens.RefreshTrigger.Expiring(DateTimeOffset.UtcNow.AddDays(1)), CancellationToken.None);

        var waiting = await (await admin.GetAsync("/admin/health")).Content.ReadAsStringAsync();
        await Assert.That(waiting).Contains("2 waiting now (peak 2 at the end of a minute)");
        await Assert.That(waiting).Contains("no event applied");
        await Assert.That(waiting).Contains("1 refreshed, 0 failed");
        await Assert.That(waiting).Contains("1 attempts, 0 failed, 0 answered 429");

        // As the processor leaves them (its own tests cover it), a second and a half after they arrived; both moments in
        // the past, as a processor's are (received_at + 1.5 s could still be ahead, in the next minute of the chart).
        await using (var db = await database.OpenAsync())
            await db.ExecuteAsync("""
                update calendly_webhook_events
                set received_at = received_at - interval '2 seconds', processed_at = received_at - interval '0.5 seconds'
                """);
        var applied = await (await admin.GetAsync("/admin/health")).Content.ReadAsStringAsync();
        await Assert.That(applied).Contains("0 waiting now");
        await Assert.That(applied).Contains("worst 1.5 s from arrival to applied");
    }

    private static string Row(string page, long userId)
    {
        var start = page.IndexOf($"data-coach=\"{userId}\"", StringComparison.Ordinal);
        return start < 0 ? "" : page[start..page.IndexOf("</tr>", start, StringComparison.Ordinal)];
    }
}
