using Calendly.Simulator.Tests.Support;

namespace Calendly.Simulator.Tests.Control;

/// <summary>The seeded world that README.md documents, and its stability across runs.</summary>
[ClassDataSource<SimulatorFixture>(Shared = SharedType.PerTestSession)]
public sealed class SeedTests(SimulatorFixture fixture)
{
    private TestSimulator Sim => fixture.Simulator;

    [Test]
    public async Task The_default_coach_has_every_kind_of_event_type_and_meeting()
    {
        var coach = await Sim.SeededAccountAsync();
        var user = Uri.EscapeDataString(coach.UserUri);

        var me = (await coach.Api.GetJsonAsync("/users/me")).GetProperty("resource");
        var types = (await coach.Api.GetJsonAsync($"/event_types?user={user}")).GetProperty("collection").EnumerateArray().ToList();
        var events = (await coach.Api.GetJsonAsync($"/scheduled_events?user={user}&count=100")).GetProperty("collection").EnumerateArray().ToList();
        var now = DateTimeOffset.UtcNow;

        await Assert.That(me.Text("uri").Uuid()).IsEqualTo("65657357-8159-4dbd-8e3d-dba1faa05e6b"); // as README.md says, for seed 42
        await Assert.That(me.Text("email")).IsEqualTo("casey.rivera@northwind.example");
        await Assert.That(me.Text("slug")).IsEqualTo("casey-rivera");
        await Assert.That(me.Text("timezone")).IsEqualTo("America/New_York");
        await Assert.That(types.Select(t => t.Text("slug"))).IsEquivalentTo(["deep-dive", "group-workshop", "intro-call", "legacy-session"]);
        await Assert.That(types.Any(t => t.Text("kind") == "group")).IsTrue();
        await Assert.That(types.Any(t => !t.GetProperty("active").GetBoolean())).IsTrue();
        await Assert.That(events.Any(e => DateTimeOffset.Parse(e.Text("start_time")) < now)).IsTrue();
        await Assert.That(events.Any(e => DateTimeOffset.Parse(e.Text("start_time")) > now)).IsTrue();
        await Assert.That(events.Any(e => e.Text("status") == "canceled")).IsTrue();
    }

    [Test]
    public async Task The_same_seed_gives_the_same_ids_and_another_seed_other_ids()
    {
        await using var again = await TestSimulator.StartAsync();
        await using var other = await TestSimulator.StartAsync(TestSimulator.DefaultSettings with { Seed = 7 });

        var first = await EventIds(Sim);
        var second = await EventIds(again);
        var third = await EventIds(other);

        await Assert.That(second).IsEquivalentTo(first);
        await Assert.That(third.Intersect(first)).IsEmpty();
    }

    [Test]
    public async Task The_free_plan_user_is_limited_to_50_requests_a_minute()
    {
        var free = await Sim.SeededAccountAsync("sam-taylor");

        using var response = await free.Api.GetAsync("/users/me");

        await Assert.That(response.Headers.GetValues("X-RateLimit-Limit").Single()).IsEqualTo("50");
    }

    private static async Task<IReadOnlyList<string>> EventIds(TestSimulator sim)
    {
        var coach = await sim.SeededAccountAsync();
        var page = await coach.Api.GetJsonAsync($"/scheduled_events?user={Uri.EscapeDataString(coach.UserUri)}&count=100");
        return [.. page.GetProperty("collection").EnumerateArray().Select(e => e.Text("uri").Uuid())];
    }
}
