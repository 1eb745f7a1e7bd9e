using App.Infrastructure.Calendly;

namespace App.Tests.Infrastructure;

/// <summary>What a grant allows: a :write scope includes its :read, "default" (a legacy grant) everything.</summary>
public sealed class CalendlyScopesTests
{
    private static IReadOnlyList<string> Granted(string scope) => CalendlyScopes.Parse(scope);

    [Test]
    [Arguments("default", "")]
    [Arguments("users:read event_types:write scheduled_events:write availability:write webhooks:write", "")]
    [Arguments("users:read event_types:read", "scheduled_events:write, availability:read, webhooks:write")]
    public async Task Granted_scopes_are_compared_with_what_the_features_need(string granted, string missing)
    {
        await Assert.That(string.Join(", ", CalendlyScopes.Missing(Granted(granted)))).IsEqualTo(missing);
    }

    [Test]
    [Arguments("users:read event_types:read availability:read", "")]
    [Arguments("", "users:read, event_types:read, availability:read")]
    [Arguments("users:read event_types:write availability:write", "")]
    [Arguments("users:read event_types:read scheduled_events:write webhooks:write", "availability:read")]
    public async Task Only_a_grant_without_the_essential_scopes_is_refused(string granted, string missingEssential)
    {
        await Assert.That(string.Join(", ", CalendlyScopes.MissingEssential(Granted(granted)))).IsEqualTo(missingEssential);
    }

    [Test]
    public async Task A_legacy_grant_shows_as_everything_the_app_asks_and_switches_nothing_off()
    {
        var legacy = Granted("default");
        await Assert.That(CalendlyScopes.Expanded(legacy)).IsEquivalentTo(CalendlyScopes.Required);
        await Assert.That(CalendlyScopes.Off(legacy)).IsEmpty();
    }

    [Test]
    public async Task A_missing_write_scope_switches_off_only_the_features_that_need_it()
    {
        var off = CalendlyScopes.Off(Granted("users:read event_types:read availability:read webhooks:write scheduled_events:read"));

        await Assert.That(off.Select(o => $"{o.Feature.Off}: {string.Join(", ", o.Lacking)}")).IsEquivalentTo(new[]
        {
            "Booking from the app is off: scheduled_events:write",
            "Cancelling sessions and marking no-shows are off: scheduled_events:write",
        });
    }

    [Test]
    public async Task Without_any_scheduled_events_scope_sessions_and_real_time_updates_are_off_too()
    {
        var off = CalendlyScopes.Off(Granted("users:read event_types:read availability:read webhooks:write"));

        await Assert.That(off.Count).IsEqualTo(CalendlyScopes.Features.Count);
        await Assert.That(off.Single(o => o.Feature.Off.StartsWith("Real-time", StringComparison.Ordinal)).Lacking)
            .IsEquivalentTo(new[] { "scheduled_events:read" });
    }
}
