using App.Infrastructure.Web;
using System.Net;
using System.Text.Json;
using Alba;
using App.Infrastructure.Calendly;
using App.Tests.Support;
using Dapper;
using TUnit.Core.Interfaces;

namespace App.Tests.Features.Connect;

/// <summary>
/// A simulator, database and app of their own: these tests narrow the scopes of the app's OAuth client at the simulator,
/// which would change what every other test's connect flow is granted.
/// </summary>
public sealed class ScopedCalendly : IAsyncInitializer, IAsyncDisposable
{
    public IsolatedCalendly Calendly { get; private set; } = null!;
    public IAlbaHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Calendly = await IsolatedCalendly.StartAsync();
        Host = await Calendly.StartAppAsync();
    }

    public ValueTask DisposeAsync() => Calendly.DisposeAsync();
}

/// <summary>What a coach whose Calendly app lacks some scopes gets: a working connection without what needs them, said in plain words.</summary>
[ClassDataSource<ScopedCalendly>(Shared = SharedType.PerClass)]
[NotInParallel(nameof(GrantedScopesTests))]
public sealed class GrantedScopesTests(ScopedCalendly scoped)
{
    /// <summary>The home page (Dashboard's, in this app): where sign-in and connecting lead.</summary>
    private static readonly string Home = PageContributions.Home.Href;

    private SimulatorServer Simulator => scoped.Calendly.Simulator;

    private static IReadOnlyList<string> AllRequiredBut(string scope) => [.. CalendlyScopes.Required.Where(s => s != scope)];

    [Test]
    [NeedsSlices("Status")]
    public async Task A_coach_whose_app_lacks_the_write_scope_is_connected_with_booking_from_the_app_off_and_told_how_to_turn_it_on()
    {
        var (browser, userId) = await CoachAsync();
        var account = (await Simulator.CreateUsersAsync(1))[0];
        var granted = AllRequiredBut(CalendlyScopes.ScheduledEventsWrite);
        await Simulator.SetClientScopesAsync(granted);
        HttpResponseMessage callback;
        try
        {
            callback = await ConnectAsync(browser, account);
        }
        finally
        {
            await Simulator.SetClientScopesAsync(SimulatorServer.EveryScope);
        }

        await Assert.That(callback.StatusCode).IsEqualTo(HttpStatusCode.Redirect);
        await Assert.That(callback.Headers.Location!.ToString()).IsEqualTo($"{Home}?notice=calendly-connected-partly");
        await using (var db = await scoped.Calendly.Database.OpenAsync())
            await Assert.That(await db.ExecuteScalarAsync<string>("select granted_scopes from calendly_integrations where user_id = @userId",
                new { userId })).IsEqualTo(string.Join(' ', granted));

        var status = await StatusAsync(browser);
        await Assert.That(status.GetProperty("connected").GetBoolean()).IsTrue();
        await Assert.That(Strings(status.GetProperty("grantedScopes"))).IsEquivalentTo(granted);
        await Assert.That(Strings(status.GetProperty("missingScopes"))).IsEquivalentTo(new[] { "scheduled_events:write" });
        // Invitee events need scheduled_events:read, which came only with the write scope: a scope refusal, not the plan's.
        await Assert.That(status.GetProperty("webhookState").GetString()).IsEqualTo("scope_missing");

        var card = await (await browser.GetAsync("/calendly/status", htmx: true)).Content.ReadAsStringAsync();
        await Assert.That(card).Contains("Booking from the app is off: Calendly did not grant scheduled_events:write.");
        await Assert.That(card).Contains("Real-time updates are off: Calendly did not grant scheduled_events:read.");
        await Assert.That(card).Contains("scheduled_events:write must be ticked for this app");
        await Assert.That(card).Contains("Reconnect Calendly");
        await Assert.That(card).DoesNotContain("does not allow webhooks");
        await Assert.That(await (await browser.GetAsync($"{Home}?notice=calendly-connected-partly")).Content.ReadAsStringAsync())
            .Contains("it did not grant everything");

        // Reconnecting once the app has the scope turns everything on.
        await Assert.That((await ConnectAsync(browser, account)).Headers.Location!.ToString()).IsEqualTo($"{Home}?notice=calendly-connected");
        var after = await StatusAsync(browser);
        await Assert.That(after.GetProperty("missingScopes").GetArrayLength()).IsEqualTo(0);
        await Assert.That(after.GetProperty("webhookState").GetString()).IsEqualTo("active");
        await Assert.That(await (await browser.GetAsync("/calendly/status", htmx: true)).Content.ReadAsStringAsync()).DoesNotContain("is off");
    }

    [Test]
    [NeedsSlices("Scheduled")]
    public async Task A_call_Calendly_refuses_for_a_missing_scope_is_calendly_scope_missing_with_the_scopes_and_a_way_to_fix_it()
    {
        var (browser, _) = await CoachAsync();
        await Simulator.SetClientScopesAsync(AllRequiredBut(CalendlyScopes.ScheduledEventsWrite));
        try
        {
            await ConnectAsync(browser);
        }
        finally
        {
            await Simulator.SetClientScopesAsync(SimulatorServer.EveryScope);
        }

        var error = await ApiResponses.ErrorOf(await browser.GetAsync("/api/calendly/events/scheduled"), HttpStatusCode.Forbidden,
            "calendly_scope_missing");
        await Assert.That(Strings(error.GetProperty("details").GetProperty("requiredScopes"))).IsEquivalentTo(new[] { "scheduled_events:read" });
        await Assert.That(error.GetProperty("message").GetString()).Contains("reconnect Calendly");

        var page = await browser.GetAsync("/sessions");
        await Assert.That(page.StatusCode).IsEqualTo(HttpStatusCode.Forbidden);
        var html = await page.Content.ReadAsStringAsync();
        await Assert.That(html).Contains("Calendly did not grant this app the scope this needs: scheduled_events:read");
        await Assert.That(html).Contains("Reconnect Calendly");

        var fragment = await browser.GetAsync("/sessions", htmx: true);
        await Assert.That(fragment.StatusCode).IsEqualTo(HttpStatusCode.Forbidden);
        await Assert.That(string.Join(" ", fragment.Headers.GetValues("HX-Trigger"))).Contains("scheduled_events:read");
    }

    [Test]
    public async Task A_grant_without_availability_read_is_refused_in_plain_words_and_nothing_is_saved()
    {
        var (browser, userId) = await CoachAsync();
        await Simulator.SetClientScopesAsync(AllRequiredBut(CalendlyScopes.AvailabilityRead));
        HttpResponseMessage callback;
        try
        {
            callback = await ConnectAsync(browser);
        }
        finally
        {
            await Simulator.SetClientScopesAsync(SimulatorServer.EveryScope);
        }

        await Assert.That(callback.StatusCode).IsEqualTo(HttpStatusCode.Forbidden);
        var page = await callback.Content.ReadAsStringAsync();
        await Assert.That(page).Contains("Calendly did not grant availability:read");
        await Assert.That(page).Contains("Nothing was saved.");
        await using var db = await scoped.Calendly.Database.OpenAsync();
        await Assert.That(await db.ExecuteScalarAsync<int>("select count(*) from calendly_integrations where user_id = @userId", new { userId }))
            .IsEqualTo(0);
    }

    // ---- helpers

    private async Task<(Browser Browser, long UserId)> CoachAsync()
    {
        var browser = new Browser(scoped.Host.Server.CreateClient());
        var id = $"coach-{Guid.NewGuid():N}"[..20];
        await browser.SignInAsync(id, $"{id}@example.test", "coach");
        return (browser, await SignedInUserModule.UserIdAsync(browser));
    }

    /// <summary>The connect flow through the simulator's consent page, granting a Calendly account of the test's own.</summary>
    private async Task<HttpResponseMessage> ConnectAsync(Browser browser, SimulatorServer.SimUser? account = null)
    {
        account ??= (await Simulator.CreateUsersAsync(1))[0];
        var start = await browser.GetAsync("/api/calendly/oauth/connect");
        var callback = await Simulator.ConsentAsync(start.Headers.Location!, allow: true, account.Uuid);
        return await browser.GetAsync(callback.PathAndQuery);
    }

    private static async Task<JsonElement> StatusAsync(Browser browser) =>
        (await Browser.JsonAsync(await browser.GetAsync("/api/calendly/status"))).GetProperty("data");

    private static List<string> Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];
}
