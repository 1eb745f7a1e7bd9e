using System.Text.Json;
using App.Infrastructure.Calendly;
using App.Tests.Support;
using Dapper;

namespace App.Tests.Features.Status;

/// <summary>The caller's Calendly connection as the status route and card show it, read from the stored connection.</summary>
[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed class StatusTests(AppFixture app)
{
    [Test]
    public async Task A_connected_coach_sees_the_connection_and_the_simulator_it_runs_against()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var browser = await ConnectedCoaches.SignedInAsync(app.Host, coach.ExternalId, "coach");

        var status = (await Browser.JsonAsync(await browser.GetAsync("/api/calendly/status"))).GetProperty("data");
        await Assert.That(status.GetProperty("connected").GetBoolean()).IsTrue();
        await Assert.That(status.GetProperty("status").GetString()).IsEqualTo("active");
        await Assert.That(status.GetProperty("mode").GetString()).IsEqualTo("simulated");
        await Assert.That(status.GetProperty("schedulingUrl").GetString()).IsEqualTo(coach.Account.SchedulingUrl);
        await Assert.That(status.GetProperty("simulator").GetProperty("apiBaseUrl").GetString()).StartsWith(app.Simulator.BaseUrl);

        var card = await (await browser.GetAsync("/calendly/status", htmx: true)).Content.ReadAsStringAsync();
        await Assert.That(card).Contains("Connected");
        await Assert.That(card).Contains("Disconnect");
    }

    [Test]
    public async Task A_coach_without_a_connection_is_not_connected()
    {
        var browser = await ConnectedCoaches.SignedInAsync(app.Host, $"coach-{Guid.NewGuid():N}", "coach");

        var status = (await Browser.JsonAsync(await browser.GetAsync("/api/calendly/status"))).GetProperty("data");
        await Assert.That(status.GetProperty("connected").GetBoolean()).IsFalse();
        await Assert.That(status.GetProperty("status").GetString()).IsEqualTo("not_connected");
    }

    [Test]
    public async Task The_status_shows_whether_real_time_updates_work()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var browser = await ConnectedCoaches.SignedInAsync(app.Host, coach.ExternalId, "coach");
        await using (var db = await app.Database.OpenAsync())
            await db.ExecuteAsync("update calendly_integrations set webhook_state = 'active', webhook_checked_at = now() where user_id = @UserId",
                new { coach.UserId });

        var status = (await Browser.JsonAsync(await browser.GetAsync("/api/calendly/status"))).GetProperty("data");
        await Assert.That(status.GetProperty("webhookState").GetString()).IsEqualTo("active");
        await Assert.That(status.GetProperty("webhookCheckedAt").GetDateTimeOffset()).IsGreaterThan(DateTimeOffset.UtcNow.AddMinutes(-1));
        var card = await (await browser.GetAsync("/calendly/status", htmx: true)).Content.ReadAsStringAsync();
        await Assert.That(card).Contains("<dt>Real-time updates</dt><dd>active");
    }

    [Test]
    public async Task A_connection_made_before_scopes_were_stored_counts_as_granted_everything()
    {
        // Stored as Calendly's legacy grant, "default", which is what connections made before this change count as.
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var browser = await ConnectedCoaches.SignedInAsync(app.Host, coach.ExternalId, "coach");

        var status = (await Browser.JsonAsync(await browser.GetAsync("/api/calendly/status"))).GetProperty("data");

        await Assert.That(Strings(status.GetProperty("grantedScopes"))).IsEquivalentTo(CalendlyScopes.Required);
        await Assert.That(status.GetProperty("missingScopes").GetArrayLength()).IsEqualTo(0);
        var card = await (await browser.GetAsync("/calendly/status", htmx: true)).Content.ReadAsStringAsync();
        await Assert.That(card).DoesNotContain("is off");
        await Assert.That(card).DoesNotContain("are off");
    }

    [Test]
    public async Task Without_a_connection_no_scope_is_granted_and_none_is_missing()
    {
        var browser = await ConnectedCoaches.SignedInAsync(app.Host, $"coach-{Guid.NewGuid():N}", "coach");

        var status = (await Browser.JsonAsync(await browser.GetAsync("/api/calendly/status"))).GetProperty("data");

        await Assert.That(status.GetProperty("status").GetString()).IsEqualTo("not_connected");
        await Assert.That(status.GetProperty("grantedScopes").GetArrayLength()).IsEqualTo(0);
        await Assert.That(status.GetProperty("missingScopes").GetArrayLength()).IsEqualTo(0);
        var page = await browser.GetAsync("/calendly/status");
        await Assert.That(await page.Content.ReadAsStringAsync()).Contains("Connect Calendly");
    }

    private static List<string> Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    /// <summary>The connection card is a coach's business: a realtor's dashboard does not carry it.</summary>
    [Test]
    [NeedsSlices("Dashboard")]
    public async Task The_dashboard_carries_the_connection_card_for_coaches_only()
    {
        var coach = await ConnectedCoaches.SignedInAsync(app.Host, $"coach-{Guid.NewGuid():N}", "coach");
        var realtor = await ConnectedCoaches.SignedInAsync(app.Host, $"realtor-{Guid.NewGuid():N}", "realtor");
        await Assert.That(await (await coach.GetAsync("/dashboard")).Content.ReadAsStringAsync()).Contains("id=\"calendly-status\"");
        await Assert.That(await (await realtor.GetAsync("/dashboard")).Content.ReadAsStringAsync()).DoesNotContain("id=\"calendly-status\"");
    }
}
