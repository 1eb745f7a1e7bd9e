using System.Net;
using System.Text;
using Calendly.Simulator.Tests.Support;

namespace Calendly.Simulator.Tests.Api;

/// <summary>Whatever a client sends, the answer is one of Calendly's 4xx bodies, never a 500.</summary>
[ClassDataSource<SimulatorFixture>(Shared = SharedType.PerTestSession)]
public sealed class BadInputTests(SimulatorFixture fixture)
{
    private TestSimulator Sim => fixture.Simulator;

    [Test]
    [Arguments("/event_types?user=not-a-uri")]
    [Arguments("/event_types?organization=https://x/users/1")]
    [Arguments("/event_types?user={me}&active=maybe")]
    [Arguments("/event_types?user={me}&sort=name:sideways")]
    [Arguments("/event_types?user={me}&sort=color:asc")]
    [Arguments("/scheduled_events?user={me}&max_start_time=2020-13-45T99:00:00Z")]
    [Arguments("/scheduled_events?user={me}&sort=start_time")]
    [Arguments("/scheduled_events?user={me}&count=-1")]
    [Arguments("/scheduled_events?user={me}&count=1e3")]
    [Arguments("/scheduled_events?user={me}&page_token=%%%")]
    [Arguments("/scheduled_events/{event}/invitees?status=gone")]
    [Arguments("/organization_memberships")]
    [Arguments("/user_availability_schedules")]
    [Arguments("/user_busy_times?user={me}")]
    [Arguments("/sample_webhook_data")]
    [Arguments("/sample_webhook_data?event=invitee.created&organization=nope&scope=user&user={me}")]
    [Arguments("/sample_webhook_data?event=invitee.created&organization={org}&scope=everyone")]
    [Arguments("/sample_webhook_data?event=invitee.created&organization={org}&scope=user")]
    [Arguments("/sample_webhook_data?event=invitee.created&organization={org}&scope=user&user=https://x/groups/1")]
    [Arguments("/sample_webhook_data?event=invitee.created&organization={org}&scope=group")]
    [Arguments("/sample_webhook_data?event=invitee.exploded&organization={org}&scope=organization")]
    [Arguments("/sample_webhook_data?event=routing_form_submission.created&organization={org}&scope=user&user={me}")]
    [Arguments("/sample_webhook_data?event=&organization=&scope=")]
    public async Task Bad_query_parameters_are_400_Invalid_Argument(string url)
    {
        var coach = await Sim.SeededAccountAsync();

        using var response = await coach.Api.GetAsync(url.Replace("{me}", Uri.EscapeDataString(coach.UserUri))
            .Replace("{org}", Uri.EscapeDataString(coach.OrganizationUri))
            .Replace("{event}", Sim.SeededId("event:casey-rivera:group-workshop")));
        var body = await response.JsonAsync();

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(body.Text("title")).IsEqualTo("Invalid Argument");
        await Assert.That(body.GetProperty("details").GetArrayLength()).IsGreaterThan(0);
    }

    [Test]
    [Arguments("/users/00000000-0000-0000-0000-000000000000")]
    [Arguments("/event_types/nope")]
    [Arguments("/scheduled_events/nope/invitees")]
    [Arguments("/scheduled_events/nope/invitees/nope")]
    [Arguments("/user_availability_schedules/nope")]
    [Arguments("/webhook_subscriptions/nope")]
    [Arguments("/no/such/route")]
    public async Task Unknown_resources_are_404_Resource_Not_Found(string url)
    {
        var coach = await Sim.SeededAccountAsync();

        using var response = await coach.Api.GetAsync(url);

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
        await Assert.That((await response.JsonAsync()).Text("title")).IsEqualTo("Resource Not Found");
    }

    [Test]
    [Arguments("/scheduled_events/{event}/cancellation", "{\"reason\": 42}")]
    [Arguments("/scheduled_events/{event}/cancellation", "[1,2")]
    [Arguments("/invitee_no_shows", "\"just a string\"")]
    [Arguments("/webhook_subscriptions", "{\"events\": {\"a\": 1}}")]
    [Arguments("/_sim/bookings", "{\"startTime\": \"tomorrow\"}")]
    [Arguments("/_sim/users", "{\"count\": 0}")]
    [Arguments("/_sim/users", "{\"count\": \"many\"}")]
    [Arguments("/_sim/tokens", "{}")]
    [Arguments("/_sim/clock", "{}")]
    [Arguments("/_sim/faults", "{\"errorRate\": 2}")]
    [Arguments("/_sim/faults", "{\"refuseWebhookSubscriptions\": \"yes\"}")]
    public async Task Bad_bodies_are_400_never_500(string url, string json)
    {
        var coach = await Sim.SeededAccountAsync();

        using var response = await coach.Api.PostAsync(url.Replace("{event}", Sim.SeededId("event:casey-rivera:group-workshop")),
            new StringContent(json, Encoding.UTF8, "application/json"));

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That((await response.JsonAsync()).Text("title")).IsEqualTo("Invalid Argument");
    }
}
