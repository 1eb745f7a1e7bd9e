using System.Net;
using Calendly.Simulator.Tests.Support;

namespace Calendly.Simulator.Tests.Contract;

/// <summary>Event types, scheduled events and invitees: shapes, pagination links and Calendly's 400s (§4.2–§4.4, §5, §6).</summary>
[ClassDataSource<SimulatorFixture>(Shared = SharedType.PerTestSession)]
public sealed class ListsContractTests(SimulatorFixture fixture)
{
    [Test, MethodDataSource(typeof(ContractTargets), nameof(ContractTargets.All))]
    public async Task Event_types_need_a_user_or_an_organization(string target)
    {
        var api = await ContractTargets.ConnectAsync(target, fixture.Simulator);

        using var response = await api.Api.GetAsync("/event_types");
        var body = await response.JsonAsync();

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(body.Text("title")).IsEqualTo("Invalid Argument");
        await Assert.That(body.Text("message")).IsEqualTo("The supplied parameters are invalid.");
    }

    [Test, MethodDataSource(typeof(ContractTargets), nameof(ContractTargets.All))]
    public async Task Next_page_is_a_full_url_repeating_the_query_plus_page_token(string target)
    {
        var api = await ContractTargets.ConnectAsync(target, fixture.Simulator);
        var user = Uri.EscapeDataString(api.UserUri);

        var page = await api.Api.GetJsonAsync($"/event_types?user={user}&count=1");

        var pagination = page.GetProperty("pagination");
        await Assert.That(page.GetProperty("collection").GetArrayLength()).IsLessThanOrEqualTo(1);
        if (pagination.GetProperty("next_page").GetString() is { } next)
        {
            await Assert.That(next).StartsWith($"{api.BaseUrl}/event_types?");
            await Assert.That(next).Contains("count=1");
            await Assert.That(next).Contains($"page_token={pagination.Text("next_page_token")}");
        }
        await Assert.That(pagination.GetProperty("previous_page").GetString()).IsNull();
    }

    [Test, MethodDataSource(typeof(ContractTargets), nameof(ContractTargets.All))]
    public async Task An_event_type_has_the_documented_fields(string target)
    {
        var api = await ContractTargets.ConnectAsync(target, fixture.Simulator);

        var first = (await api.Api.GetJsonAsync($"/event_types?user={Uri.EscapeDataString(api.UserUri)}")).GetProperty("collection")[0];
        var single = (await api.Api.GetJsonAsync($"/event_types/{first.Text("uri").Uuid()}")).GetProperty("resource");

        foreach (var field in new[] { "uri", "name", "active", "slug", "scheduling_url", "duration", "kind", "pooling_type", "type",
                     "color", "created_at", "updated_at", "description_plain", "profile", "secret", "deleted_at", "custom_questions" })
            await Assert.That(single.Names()).Contains(field);
        await Assert.That(single.Text("uri")).IsEqualTo(first.Text("uri"));
        await Assert.That(new[] { "solo", "group" }).Contains(single.Text("kind"));
    }

    [Test, MethodDataSource(typeof(ContractTargets), nameof(ContractTargets.All))]
    public async Task Scheduled_events_and_their_invitees_have_the_documented_fields(string target)
    {
        var api = await ContractTargets.ConnectAsync(target, fixture.Simulator);

        var events = await api.Api.GetJsonAsync($"/scheduled_events?user={Uri.EscapeDataString(api.UserUri)}&sort=start_time:desc&count=5");
        var scheduled = events.GetProperty("collection")[0];

        foreach (var field in new[] { "uri", "name", "status", "start_time", "end_time", "event_type", "location", "invitees_counter",
                     "created_at", "updated_at", "event_memberships", "event_guests" })
            await Assert.That(scheduled.Names()).Contains(field);
        await Assert.That(scheduled.Text("start_time").IsCalendlyTimestamp()).IsTrue();
        await Assert.That(scheduled.GetProperty("invitees_counter").Names()).IsEquivalentTo(["total", "active", "limit"]);
        await Assert.That(scheduled.GetProperty("event_memberships")[0].Text("user")).IsEqualTo(api.UserUri);

        var invitees = await api.Api.GetJsonAsync($"/scheduled_events/{scheduled.Text("uri").Uuid()}/invitees");
        var invitee = invitees.GetProperty("collection")[0];
        foreach (var field in new[] { "uri", "email", "name", "status", "timezone", "event", "created_at", "updated_at",
                     "questions_and_answers", "tracking", "rescheduled", "old_invitee", "new_invitee", "cancel_url", "reschedule_url",
                     "payment", "no_show", "reconfirmation" })
            await Assert.That(invitee.Names()).Contains(field);
        await Assert.That(invitee.Text("event")).IsEqualTo(scheduled.Text("uri"));
        await Assert.That(invitee.Text("uri")).StartsWith($"{scheduled.Text("uri")}/invitees/");
    }

    [Test]
    [MethodDataSource(typeof(ContractTargets), nameof(ContractTargets.All))]
    public async Task Bad_counts_tokens_and_timestamps_are_400_naming_the_parameter(string target)
    {
        var api = await ContractTargets.ConnectAsync(target, fixture.Simulator);
        var user = Uri.EscapeDataString(api.UserUri);

        foreach (var (query, parameter) in new[]
                 {
                     ("count=0", "count"), ("count=101", "count"), ("count=abc", "count"), ("page_token=garbage", "page_token"),
                     ("min_start_time=yesterday", "min_start_time"), ("status=done", "status"),
                 })
        {
            using var response = await api.Api.GetAsync($"/scheduled_events?user={user}&{query}");
            var body = await response.JsonAsync();
            await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
            await Assert.That(body.Text("title")).IsEqualTo("Invalid Argument");
            await Assert.That(body.GetProperty("details").EnumerateArray().Select(d => d.GetProperty("parameter").GetString()))
                .Contains(parameter);
        }
    }
}
