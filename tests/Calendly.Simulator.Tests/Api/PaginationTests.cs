using System.Net;
using Calendly.Simulator.Tests.Support;

namespace Calendly.Simulator.Tests.Api;

[ClassDataSource<SimulatorFixture>(Shared = SharedType.PerTestSession)]
public sealed class PaginationTests(SimulatorFixture fixture)
{
    private TestSimulator Sim => fixture.Simulator;

    [Test]
    public async Task Following_next_page_to_the_end_yields_every_event_exactly_once()
    {
        var coach = await Sim.NewAccountAsync();
        var eventType = await coach.EventTypeUriAsync();
        var slots = await coach.FreeSlotsAsync(eventType);
        foreach (var slot in slots.Take(7)) await Sim.BookAsync(eventType, slot.Text("start_time"));

        var seen = new List<string>();
        string? next = $"/scheduled_events?user={Uri.EscapeDataString(coach.UserUri)}&sort=start_time:desc&count=3";
        var pages = 0;
        while (next is not null)
        {
            var page = await coach.Api.GetJsonAsync(next);
            seen.AddRange(page.GetProperty("collection").EnumerateArray().Select(e => e.Text("uri")));
            next = page.GetProperty("pagination").GetProperty("next_page").GetString();
            pages++;
        }

        await Assert.That(pages).IsEqualTo(3);
        await Assert.That(seen.Count).IsEqualTo(7);
        await Assert.That(seen.Distinct().Count()).IsEqualTo(7);
        var starts = await Task.WhenAll(seen.Select(async uri =>
            (await coach.Api.GetJsonAsync($"/scheduled_events/{uri.Uuid()}")).GetProperty("resource").Text("start_time")));
        await Assert.That(starts).IsEquivalentTo(starts.OrderDescending(StringComparer.Ordinal).ToArray(), TUnit.Assertions.Enums.CollectionOrdering.Matching);
    }

    [Test]
    public async Task Previous_page_leads_back_and_pagination_counts_the_rows()
    {
        var coach = await Sim.SeededAccountAsync();
        var first = await coach.Api.GetJsonAsync($"/scheduled_events?user={Uri.EscapeDataString(coach.UserUri)}&count=2");

        var second = await coach.Api.GetJsonAsync(first.GetProperty("pagination").Text("next_page"));
        var back = await coach.Api.GetJsonAsync(second.GetProperty("pagination").Text("previous_page"));

        await Assert.That(first.GetProperty("pagination").GetProperty("count").GetInt32()).IsEqualTo(2);
        await Assert.That(back.GetProperty("collection")[0].Text("uri")).IsEqualTo(first.GetProperty("collection")[0].Text("uri"));
        await Assert.That(second.GetProperty("collection")[0].Text("uri")).IsNotEqualTo(first.GetProperty("collection")[0].Text("uri"));
    }

    [Test]
    public async Task A_page_token_reused_with_other_filters_or_altered_is_400()
    {
        var coach = await Sim.SeededAccountAsync();
        var user = Uri.EscapeDataString(coach.UserUri);
        var token = (await coach.Api.GetJsonAsync($"/scheduled_events?user={user}&count=2")).GetProperty("pagination").Text("next_page_token");

        using var otherFilter = await coach.Api.GetAsync($"/scheduled_events?user={user}&count=2&status=canceled&page_token={token}");
        using var altered = await coach.Api.GetAsync($"/scheduled_events?user={user}&count=2&page_token={token[..^2]}xx");
        using var otherCount = await coach.Api.GetAsync($"/scheduled_events?user={user}&count=5&page_token={token}");

        await Assert.That(otherFilter.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(altered.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(otherCount.StatusCode).IsEqualTo(HttpStatusCode.OK);
    }
}
