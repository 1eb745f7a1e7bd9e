using Calendly.Simulator.OAuth;
using Microsoft.Extensions.Configuration;

namespace Calendly.Simulator.Tests.OAuth;

/// <summary>The registered clients as SIM_OAUTH_CLIENTS and the app's own variables describe them.</summary>
public sealed class ClientSettingsTests
{
    [Test]
    public async Task The_apps_client_has_every_scope_and_extra_clients_the_listed_ones_or_none_for_a_legacy_app()
    {
        var settings = SettingsFrom("""
            [{"client_id":"scoped","client_secret":"s","redirect_uris":["http://localhost/cb"],"scopes":["users:read","webhooks:write"]},
             {"client_id":"legacy","client_secret":"s","redirect_uris":["http://localhost/cb"]}]
            """);

        await Assert.That(settings.OAuthClients[0].Scopes).IsEquivalentTo(Scopes.Catalog);
        await Assert.That(settings.OAuthClients[1].Scopes).IsEquivalentTo(["users:read", "webhooks:write"]);
        await Assert.That(settings.OAuthClients[2].Scopes).IsNull();
    }

    [Test]
    public async Task An_unknown_scope_stops_the_start_and_is_named()
    {
        var start = () => SettingsFrom("""[{"client_id":"c","client_secret":"s","redirect_uris":["http://localhost/cb"],"scopes":["users:read","calendars:read"]}]""");

        await Assert.That(start).Throws<InvalidOperationException>().WithMessageContaining("calendars:read");
    }

    private static SimulatorSettings SettingsFrom(string clients) =>
        SimulatorSettings.FromConfiguration(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["SIM_OAUTH_CLIENTS"] = clients }).Build());
}
