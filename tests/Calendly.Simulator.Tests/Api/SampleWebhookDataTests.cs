using System.Net;
using System.Text.Json;
using Calendly.Simulator.Tests.Support;

namespace Calendly.Simulator.Tests.Api;

[ClassDataSource<SimulatorFixture>(Shared = SharedType.PerTestSession)]
public sealed class SampleWebhookDataTests(SimulatorFixture fixture)
{
    private TestSimulator Sim => fixture.Simulator;

    [Test]
    public async Task Samples_have_exactly_the_shape_of_real_deliveries()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var coach = await Sim.NewAccountAsync();
        await coach.SubscribeAsync(receiver, ["invitee.created", "event_type.updated"]);

        await Sim.BookFirstFreeSlotAsync(coach);
        using var renamed = await Sim.Http.PatchAsync($"/_sim/event_types/{(await coach.EventTypeUriAsync()).Uuid()}",
            System.Net.Http.Json.JsonContent.Create(new { name = "Renamed" }));
        var deliveries = await receiver.WaitForAsync(2);

        foreach (var delivery in deliveries)
            await Assert.That(Shape(await SampleAsync(coach, delivery.Event))).IsEquivalentTo(Shape(delivery.Json));
    }

    [Test]
    [Arguments("invitee.created")]
    [Arguments("invitee.canceled")]
    [Arguments("invitee_no_show.created")]
    [Arguments("invitee_no_show.deleted")]
    [Arguments("event_type.created")]
    [Arguments("event_type.updated")]
    [Arguments("event_type.deleted")]
    public async Task Each_event_the_simulator_fires_has_a_sample_made_up_outside_the_world(string eventName)
    {
        var coach = await Sim.NewAccountAsync();

        var sample = await SampleAsync(coach, eventName);
        using var lookup = await coach.Api.GetAsync(new Uri(sample.GetProperty("payload").Text("uri")).AbsolutePath);

        await Assert.That(sample.Text("event")).IsEqualTo(eventName);
        await Assert.That(sample.Text("created_by")).IsEqualTo(coach.UserUri);
        await Assert.That(lookup.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Samples_show_what_their_event_is_about()
    {
        var coach = await Sim.NewAccountAsync();

        var canceled = (await SampleAsync(coach, "invitee.canceled")).GetProperty("payload");
        var noShow = (await SampleAsync(coach, "invitee_no_show.created")).GetProperty("payload");
        var noShowDeleted = (await SampleAsync(coach, "invitee_no_show.deleted")).GetProperty("payload");
        var deletedType = (await SampleAsync(coach, "event_type.deleted")).GetProperty("payload");

        await Assert.That(canceled.Text("status")).IsEqualTo("canceled");
        await Assert.That(canceled.GetProperty("cancellation").Text("canceler_type")).IsEqualTo("invitee");
        await Assert.That(canceled.GetProperty("scheduled_event").Text("status")).IsEqualTo("canceled");
        await Assert.That(noShow.GetProperty("no_show").Text("uri")).StartsWith($"{Sim.BaseUrl}/invitee_no_shows/");
        await Assert.That(noShowDeleted.GetProperty("no_show").ValueKind).IsEqualTo(JsonValueKind.Null);
        await Assert.That(deletedType.GetProperty("deleted_at").ValueKind).IsEqualTo(JsonValueKind.String);
        await Assert.That(deletedType.GetProperty("active").GetBoolean()).IsFalse();
    }

    [Test]
    public async Task A_user_scoped_sample_is_about_that_user_and_created_by_the_caller()
    {
        var admin = await Sim.NewAccountAsync();
        var member = await Sim.NewAccountAsync(organization: admin.OrganizationUri);
        var stranger = await Sim.NewAccountAsync();

        var sample = await SampleAsync(admin, "invitee.created", member.UserUri);
        using var outsider = await admin.Api.GetAsync(SampleUrl(admin, "invitee.created", stranger.UserUri));

        await Assert.That(sample.GetProperty("payload").GetProperty("scheduled_event").GetProperty("event_memberships")[0].Text("user"))
            .IsEqualTo(member.UserUri);
        await Assert.That(sample.Text("created_by")).IsEqualTo(admin.UserUri);
        await Assert.That(outsider.StatusCode).IsEqualTo(HttpStatusCode.Forbidden);
    }

    [Test]
    [Arguments("meeting_recap.created", "user")]
    [Arguments("contact.created", "organization")]
    [Arguments("routing_form_submission.created", "organization")]
    public async Task Events_the_simulator_never_fires_have_no_sample(string eventName, string scope)
    {
        var coach = await Sim.NewAccountAsync();

        using var response = await coach.Api.GetAsync(SampleUrl(coach, eventName, scope == "user" ? coach.UserUri : null));
        var details = (await response.JsonAsync()).GetProperty("details").EnumerateArray().ToList();

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(details.Select(d => (d.Text("parameter"), d.Text("message"))))
            .IsEquivalentTo([("event", $"the simulator has no sample for {eventName}")]);
    }

    private static async Task<JsonElement> SampleAsync(SimAccount account, string eventName, string? user = null)
    {
        using var response = await account.Api.GetAsync(SampleUrl(account, eventName, user ?? account.UserUri));
        var body = await response.JsonAsync();
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"sample {eventName} → {(int)response.StatusCode}: {body}");
        return body;
    }

    private static string SampleUrl(SimAccount account, string eventName, string? user) =>
        $"/sample_webhook_data?event={eventName}&organization={Uri.EscapeDataString(account.OrganizationUri)}" +
        (user is null ? "&scope=organization" : $"&scope=user&user={Uri.EscapeDataString(user)}");

    /// <summary>Every property path of a document ("payload.scheduled_event.uri"), arrays by their first item.</summary>
    private static IReadOnlyList<string> Shape(JsonElement element, string prefix = "") => element.ValueKind switch
    {
        JsonValueKind.Object => [.. element.EnumerateObject().SelectMany(p => Shape(p.Value, $"{prefix}{p.Name}.").Prepend($"{prefix}{p.Name}"))],
        JsonValueKind.Array => [.. element.EnumerateArray().Take(1).SelectMany(item => Shape(item, $"{prefix}[]."))],
        _ => [],
    };
}
