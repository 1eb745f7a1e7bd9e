using System.Text.Json;
using App.Infrastructure.Calendly;
using App.Tests.Support;

namespace App.Tests.Features.Status;

[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed class StatusTests(AppFixture app)
{
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
}
