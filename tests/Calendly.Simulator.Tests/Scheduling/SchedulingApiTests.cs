using System.Net;
using System.Net.Http.Json;
using Calendly.Simulator.Tests.Support;
using static Calendly.Simulator.Tests.Support.SchedulingApi;

namespace Calendly.Simulator.Tests.Scheduling;

/// <summary>
/// POST /invitees, Calendly's Scheduling API (calendly-api.md §4.10). Only the past start time is also checked against
/// the real Calendly: every other case either books a real meeting when it works or needs an account set up for it.
/// </summary>
[ClassDataSource<SimulatorFixture>(Shared = SharedType.PerTestSession)]
public sealed class SchedulingApiTests(SimulatorFixture fixture)
{
    private TestSimulator Sim => fixture.Simulator;

    [Test, Property("Reference", "§4.10")]
    public async Task A_booking_is_201_with_the_invitee_scheduled_by_the_caller_and_listed_at_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var coach = await Sim.NewAccountAsync();
        await coach.SubscribeAsync(receiver, ["invitee.created"]);
        var eventType = await coach.EventTypeUriAsync();
        var slot = (await coach.FreeSlotsAsync(eventType))[0].Text("start_time");
        var body = Body(eventType, slot);
        body["tracking"] = new { utm_source = "calendly-slices", utm_content = "realtor-7", utm_term = "attempt-1" };
        body["questions_and_answers"] = new[] { new { question = "Please share anything that will help prepare for our meeting.", answer = "Two listings", position = 0 } };
        body["invitee"] = new { email = "ivy@example.com", first_name = "Ivy", last_name = "Invitee", timezone = "Europe/Paris", text_reminder_number = "+33612345678" };

        var (response, json) = await coach.BookAsync(body);

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Created);
        var invitee = json.GetProperty("resource");
        await Assert.That(invitee.Text("scheduling_method")).IsEqualTo("instant_book");
        await Assert.That(invitee.Text("invitee_scheduled_by")).IsEqualTo(coach.UserUri);
        await Assert.That(invitee.Text("name")).IsEqualTo("Ivy Invitee");
        await Assert.That(invitee.Text("first_name")).IsEqualTo("Ivy");
        await Assert.That(invitee.Text("last_name")).IsEqualTo("Invitee");
        await Assert.That(invitee.Text("timezone")).IsEqualTo("Europe/Paris");
        await Assert.That(invitee.Text("text_reminder_number")).IsEqualTo("+33612345678");
        await Assert.That(invitee.GetProperty("tracking").Text("utm_term")).IsEqualTo("attempt-1");
        await Assert.That(invitee.GetProperty("questions_and_answers")[0].Text("answer")).IsEqualTo("Two listings");
        var listed = await coach.Api.GetJsonAsync($"/scheduled_events?user={Uri.EscapeDataString(coach.UserUri)}&invitee_email=ivy%40example.com");
        await Assert.That(listed.GetProperty("collection")[0].Text("uri")).IsEqualTo(invitee.Text("event"));
        var delivered = (await receiver.WaitForAsync(1))[0];
        await Assert.That(delivered.Payload.Text("uri")).IsEqualTo(invitee.Text("uri"));
        await Assert.That(delivered.Payload.Text("scheduling_method")).IsEqualTo("instant_book");
    }

    [Test, Property("Reference", "§4.10")]
    public async Task Missing_required_fields_are_a_400_naming_each()
    {
        var coach = await Sim.NewAccountAsync();

        var (response, json) = await coach.BookAsync(new { invitee = new { email = "not-an-email" } });

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(json.Text("title")).IsEqualTo("Invalid Argument");
        await Assert.That(json.Parameters()).IsEquivalentTo(["event_type", "start_time", "invitee.email", "invitee.timezone", "invitee.name"]);
    }

    [Test, Property("Reference", "§4.10"), MethodDataSource(typeof(ContractTargets), nameof(ContractTargets.All))]
    public async Task A_start_time_in_the_past_is_a_400_on_start_time(string target)
    {
        // Safe against the real Calendly: nothing can be booked in the past.
        var api = await ContractTargets.ConnectAsync(target, Sim);
        var types = await api.Api.GetJsonAsync($"/event_types?user={Uri.EscapeDataString(api.UserUri)}&active=true&count=1");
        var yesterday = DateTimeOffset.UtcNow.AddDays(-1).ToString("yyyy-MM-dd'T'HH:00:00'Z'");

        using var response = await api.Api.PostAsJsonAsync("/invitees", Body(types.GetProperty("collection")[0].Text("uri"), yesterday));
        var json = await response.JsonAsync();

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(json.Parameters()).Contains("start_time");
    }

    [Test, Property("Reference", "§4.10")]
    public async Task A_time_not_offered_or_already_taken_is_a_400_on_start_time_and_books_nothing()
    {
        var coach = await Sim.NewAccountAsync();
        var eventType = await coach.EventTypeUriAsync();
        var slot = (await coach.FreeSlotsAsync(eventType))[0].Text("start_time");
        var offSchedule = DateTimeOffset.Parse(slot).AddMinutes(7).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");

        var (first, _) = await coach.BookAsync(Body(eventType, slot, "first@example.com"));
        var (taken, takenJson) = await coach.BookAsync(Body(eventType, slot, "second@example.com"));
        var (odd, oddJson) = await coach.BookAsync(Body(eventType, offSchedule, "third@example.com"));

        await Assert.That(first.StatusCode).IsEqualTo(HttpStatusCode.Created);
        await Assert.That(taken.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(takenJson.Parameters()).IsEquivalentTo(["start_time"]);
        await Assert.That(odd.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(oddJson.Parameters()).IsEquivalentTo(["start_time"]);
        var events = await coach.Api.GetJsonAsync($"/scheduled_events?user={Uri.EscapeDataString(coach.UserUri)}");
        await Assert.That(events.GetProperty("collection").GetArrayLength()).IsEqualTo(1);
    }

    [Test, Property("Reference", "§4.10")]
    public async Task Questions_must_match_exactly_and_required_ones_must_be_answered()
    {
        var coach = await Sim.NewAccountAsync();
        var eventType = await Sim.NewEventTypeAsync(coach, new
        {
            customQuestions = new object[]
            {
                new { name = "Which listing?", type = "string", required = true },
                new { name = "Market", type = "single_select", answerChoices = new[] { "Residential", "Commercial" } },
            },
        });
        var slot = (await coach.FreeSlotsAsync(eventType))[0].Text("start_time");
        var unanswered = Body(eventType, slot);
        unanswered["questions_and_answers"] = new[] { new { question = "which listing?", answer = "12 Elm St" }, new { question = "Market", answer = "Farmland" } };
        var answered = Body(eventType, slot);
        answered["questions_and_answers"] = new[] { new { question = "Which listing?", answer = "12 Elm St" }, new { question = "Market", answer = "Commercial" } };

        var (refused, refusal) = await coach.BookAsync(unanswered);
        var (booked, invitee) = await coach.BookAsync(answered);

        await Assert.That(refused.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(refusal.Parameters()).IsEquivalentTo(
            ["questions_and_answers[0].question", "questions_and_answers[1].answer", "questions_and_answers"]);
        await Assert.That(refusal.GetProperty("details")[2].Text("message")).Contains("Which listing?");
        await Assert.That(booked.StatusCode).IsEqualTo(HttpStatusCode.Created);
        var answers = invitee.GetProperty("resource").GetProperty("questions_and_answers");
        await Assert.That(answers.EnumerateArray().Select(a => (a.Text("question"), a.GetProperty("position").GetInt32())))
            .IsEquivalentTo([("Which listing?", 0), ("Market", 1)]);
    }

    [Test, Property("Reference", "§4.10")]
    public async Task A_location_that_asks_the_invitee_needs_their_answer_and_the_event_shows_it()
    {
        var coach = await Sim.NewAccountAsync();
        var eventType = await Sim.NewEventTypeAsync(coach, new { location = new { kind = "outbound_call" } });
        var slot = (await coach.FreeSlotsAsync(eventType))[0].Text("start_time");
        var withPhone = Body(eventType, slot);
        withPhone["location"] = new { kind = "outbound_call", location = "+1 212 555 0100" };
        var otherKind = Body(eventType, slot);
        otherKind["location"] = new { kind = "zoom_conference" };

        var (missing, missingJson) = await coach.BookAsync(Body(eventType, slot));
        var (wrong, wrongJson) = await coach.BookAsync(otherKind);
        var (booked, invitee) = await coach.BookAsync(withPhone);

        await Assert.That(missing.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(missingJson.Parameters()).IsEquivalentTo(["location"]);
        await Assert.That(wrong.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(wrongJson.Parameters()).IsEquivalentTo(["location.kind"]);
        await Assert.That(booked.StatusCode).IsEqualTo(HttpStatusCode.Created);
        var scheduled = await coach.Api.GetJsonAsync($"/scheduled_events/{invitee.GetProperty("resource").Text("event").Uuid()}");
        var location = scheduled.GetProperty("resource").GetProperty("location");
        await Assert.That(location.Text("type")).IsEqualTo("outbound_call");
        await Assert.That(location.Text("location")).IsEqualTo("+1 212 555 0100");
    }

    [Test, Property("Reference", "§4.10")]
    public async Task At_most_ten_guests_each_a_valid_email_and_guests_show_on_the_event()
    {
        var coach = await Sim.NewAccountAsync();
        var eventType = await coach.EventTypeUriAsync();
        var slot = (await coach.FreeSlotsAsync(eventType))[0].Text("start_time");
        var tooMany = Body(eventType, slot);
        tooMany["event_guests"] = Enumerable.Range(0, 11).Select(i => $"guest{i}@example.com").Append("nope").ToArray();
        var two = Body(eventType, slot);
        two["event_guests"] = new[] { "a@example.com", "b@example.com" };

        var (refused, refusal) = await coach.BookAsync(tooMany);
        var (booked, invitee) = await coach.BookAsync(two);

        await Assert.That(refused.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(refusal.Parameters()).IsEquivalentTo(["event_guests", "event_guests[11]"]);
        await Assert.That(booked.StatusCode).IsEqualTo(HttpStatusCode.Created);
        var scheduled = await coach.Api.GetJsonAsync($"/scheduled_events/{invitee.GetProperty("resource").Text("event").Uuid()}");
        await Assert.That(scheduled.GetProperty("resource").GetProperty("event_guests").EnumerateArray().Select(g => g.Text("email")))
            .IsEquivalentTo(["a@example.com", "b@example.com"]);
    }

    [Test, Property("Reference", "§4.10")]
    public async Task A_group_event_fills_its_seats_then_refuses_the_start_time()
    {
        var coach = await Sim.NewAccountAsync();
        var group = await coach.EventTypeUriAsync(1); // a group of three
        var slot = (await coach.FreeSlotsAsync(group))[0].Text("start_time");

        var answers = new List<HttpStatusCode>();
        var events = new HashSet<string>();
        foreach (var n in Enumerable.Range(0, 4))
        {
            var (response, json) = await coach.BookAsync(Body(group, slot, $"seat{n}@example.com"));
            answers.Add(response.StatusCode);
            if (response.IsSuccessStatusCode) events.Add(json.GetProperty("resource").Text("event"));
        }

        await Assert.That(answers).IsEquivalentTo([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.BadRequest]);
        await Assert.That(events.Count).IsEqualTo(1);
    }

    [Test, Property("Reference", "§4.10")]
    public async Task An_inactive_or_deleted_event_type_is_404_and_another_organizations_is_403()
    {
        var coach = await Sim.NewAccountAsync();
        var outsider = await Sim.NewAccountAsync();
        var inactive = await Sim.NewEventTypeAsync(coach);
        var deleted = await Sim.NewEventTypeAsync(coach);
        var slot = (await coach.FreeSlotsAsync(inactive))[0].Text("start_time");
        (await Sim.Http.PatchAsJsonAsync($"/_sim/event_types/{inactive.Uuid()}", new { active = false })).EnsureSuccessStatusCode();
        (await Sim.Http.DeleteAsync($"/_sim/event_types/{deleted.Uuid()}")).EnsureSuccessStatusCode();

        var (inactiveAnswer, _) = await coach.BookAsync(Body(inactive, slot));
        var (deletedAnswer, _) = await coach.BookAsync(Body(deleted, slot));
        var (foreign, foreignJson) = await outsider.BookAsync(Body(await coach.EventTypeUriAsync(), slot));

        await Assert.That(inactiveAnswer.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
        await Assert.That(deletedAnswer.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
        await Assert.That(foreign.StatusCode).IsEqualTo(HttpStatusCode.Forbidden);
        await Assert.That(foreignJson.Text("title")).IsEqualTo("Permission Denied");
    }

    [Test, Property("Reference", "§4.10")]
    public async Task Bad_json_and_wrong_types_are_400s_never_500s()
    {
        var coach = await Sim.NewAccountAsync();
        foreach (var text in new[] { "{", "[]", "{\"invitee\":5}", "{\"event_guests\":{}}", "{\"questions_and_answers\":[null]}", "null" })
        {
            using var response = await coach.Api.PostAsync("/invitees", new StringContent(text, System.Text.Encoding.UTF8, "application/json"));
            await Assert.That((text, response.StatusCode)).IsEqualTo((text, HttpStatusCode.BadRequest));
        }
    }
}
