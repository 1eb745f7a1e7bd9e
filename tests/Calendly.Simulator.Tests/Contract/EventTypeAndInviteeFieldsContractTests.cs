using System.Net.Http.Json;
using Calendly.Simulator.Tests.Support;

namespace Calendly.Simulator.Tests.Contract;

/// <summary>The fields Calendly added to event types and invitees (calendly-api.md §4.2, §4.4), checked on both targets where only reading is needed.</summary>
[ClassDataSource<SimulatorFixture>(Shared = SharedType.PerTestSession)]
public sealed class EventTypeAndInviteeFieldsContractTests(SimulatorFixture fixture)
{
    private TestSimulator Sim => fixture.Simulator;

    [Test, Property("Reference", "§4.2"), MethodDataSource(typeof(ContractTargets), nameof(ContractTargets.All))]
    public async Task Event_types_carry_start_time_increment_buffers_locale_locations_and_questions(string target)
    {
        var api = await ContractTargets.ConnectAsync(target, Sim);

        var type = (await api.Api.GetJsonAsync($"/event_types?user={Uri.EscapeDataString(api.UserUri)}&count=1")).GetProperty("collection")[0];

        foreach (var field in new[] { "start_time_increment", "before_buffer", "after_buffer", "locale", "locations", "custom_questions" })
            await Assert.That(type.Names()).Contains(field);
        await Assert.That(type.GetProperty("start_time_increment").GetInt32()).IsGreaterThan(0);
        foreach (var question in type.GetProperty("custom_questions").EnumerateArray())
            await Assert.That(question.Names()).IsEquivalentTo(["name", "type", "position", "enabled", "required", "answer_choices", "include_other"]);
    }

    [Test, Property("Reference", "§4.4"), MethodDataSource(typeof(ContractTargets), nameof(ContractTargets.All))]
    public async Task Invitees_carry_names_answers_reminder_number_and_who_scheduled_them(string target)
    {
        var api = await ContractTargets.ConnectAsync(target, Sim);
        var events = (await api.Api.GetJsonAsync($"/scheduled_events?user={Uri.EscapeDataString(api.UserUri)}&sort=start_time:desc&count=1"))
            .GetProperty("collection");
        Skip.When(events.GetArrayLength() == 0, "the token's user has no scheduled events to read");

        var invitee = (await api.Api.GetJsonAsync($"/scheduled_events/{events[0].Text("uri").Uuid()}/invitees")).GetProperty("collection")[0];

        foreach (var field in new[] { "first_name", "last_name", "questions_and_answers", "text_reminder_number", "scheduling_method", "invitee_scheduled_by" })
            await Assert.That(invitee.Names()).Contains(field); // nullable, yet present
    }

    [Test, Property("Reference", "§4.2")]
    public async Task Casey_s_deep_dive_asks_a_required_question_and_morgan_s_mentoring_asks_for_a_phone_number()
    {
        // Simulator only: the seeded accounts exist nowhere else.
        var casey = await Sim.SeededAccountAsync();
        var morgan = await Sim.SeededAccountAsync("morgan-lee");

        var deepDive = (await casey.Api.GetJsonAsync($"/event_types/{Sim.SeededId("event-type:casey-rivera:deep-dive")}")).GetProperty("resource");
        var mentoring = (await morgan.Api.GetJsonAsync($"/event_types/{Sim.SeededId("event-type:morgan-lee:mentoring")}")).GetProperty("resource");

        var required = deepDive.GetProperty("custom_questions").EnumerateArray().Where(q => q.GetProperty("required").GetBoolean()).ToList();
        await Assert.That(required.Select(q => q.Text("name"))).IsEquivalentTo(["What would you like to dive into?"]);
        await Assert.That(deepDive.GetProperty("after_buffer").GetInt32()).IsEqualTo(15);
        await Assert.That(mentoring.GetProperty("locations")[0].Text("kind")).IsEqualTo("outbound_call");
    }

    [Test, Property("Reference", "§4.4")]
    public async Task Seeded_bookings_answer_their_questions_and_fill_names_and_guests()
    {
        // Simulator only: the seeded history exists nowhere else.
        var casey = await Sim.SeededAccountAsync();
        var deepDive = $"{Sim.BaseUrl}/event_types/{Sim.SeededId("event-type:casey-rivera:deep-dive")}";
        var events = (await casey.Api.GetJsonAsync($"/scheduled_events?user={Uri.EscapeDataString(casey.UserUri)}&count=100"))
            .GetProperty("collection").EnumerateArray().ToList();

        var invitees = new List<System.Text.Json.JsonElement>();
        foreach (var scheduled in events)
            invitees.AddRange((await casey.Api.GetJsonAsync($"/scheduled_events/{scheduled.Text("uri").Uuid()}/invitees")).GetProperty("collection").EnumerateArray());

        await Assert.That(invitees.All(i => i.GetProperty("first_name").ValueKind == System.Text.Json.JsonValueKind.String)).IsTrue();
        await Assert.That(events.Any(e => e.GetProperty("event_guests").GetArrayLength() > 0)).IsTrue();
        var deepDiveInvitees = invitees.Where(i => events.Single(e => e.Text("uri") == i.Text("event")).Text("event_type") == deepDive).ToList();
        await Assert.That(deepDiveInvitees).IsNotEmpty();
        await Assert.That(deepDiveInvitees.All(i => i.GetProperty("questions_and_answers").EnumerateArray()
            .Any(a => a.Text("question") == "What would you like to dive into?" && a.Text("answer").Length > 0))).IsTrue();
    }

    [Test, Property("Reference", "§4.2")]
    public async Task An_event_type_s_start_time_increment_spaces_its_free_times()
    {
        // Simulator only: changing an event type's increment on the real Calendly changes a real booking page.
        var coach = await Sim.NewAccountAsync();
        var every15 = await Sim.NewEventTypeAsync(coach, new { durationMinutes = 30, startTimeIncrement = 15 });

        var slots = await coach.FreeSlotsAsync(every15);
        var type = (await coach.Api.GetJsonAsync($"/event_types/{every15.Uuid()}")).GetProperty("resource");

        await Assert.That(type.GetProperty("start_time_increment").GetInt32()).IsEqualTo(15);
        var starts = slots.Take(3).Select(s => DateTimeOffset.Parse(s.Text("start_time"))).ToList();
        await Assert.That(starts[1] - starts[0]).IsEqualTo(TimeSpan.FromMinutes(15));
    }

    [Test]
    public async Task The_event_type_control_refuses_bad_questions_increments_buffers_and_locations_field_by_field()
    {
        var coach = await Sim.NewAccountAsync();

        using var response = await Sim.Http.PostAsJsonAsync("/_sim/event_types", new
        {
            owner = coach.UserUri, name = "Bad", startTimeIncrement = 3, beforeBuffer = 7, location = new { kind = "carrier_pigeon" },
            customQuestions = new object?[] { new { name = "", type = "essay" }, new { name = "Pick", type = "single_select" }, null },
        });
        var json = await response.JsonAsync();

        await Assert.That((int)response.StatusCode).IsEqualTo(400);
        await Assert.That(json.Parameters()).IsEquivalentTo([
            "startTimeIncrement", "beforeBuffer", "location.kind", "customQuestions[0].name", "customQuestions[0].type",
            "customQuestions[1].answerChoices", "customQuestions[2].name", "customQuestions[2].type"]);
    }
}
