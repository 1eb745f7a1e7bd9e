using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Calendly.Simulator.Tests.Support;

namespace Calendly.Simulator.Tests.Contract;

/// <summary>
/// What counts as a delivered webhook (§8.5). None runs live: Calendly would need a public receiver, and a booking to
/// send anything.
/// </summary>
[ClassDataSource<SimulatorFixture>(Shared = SharedType.PerTestSession)]
public sealed class WebhookDeliveryContractTests(SimulatorFixture fixture)
{
    // A retry comes 50–200 ms after a failure on the test simulator; this is long enough to see one that should not come.
    private static readonly TimeSpan LongerThanARetry = TimeSpan.FromMilliseconds(600);

    private TestSimulator Sim => fixture.Simulator;

    [Test]
    [Property("Reference", "§8.5")]
    public async Task Any_2xx_is_a_success()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.StatusFor = attempt => attempt == 1 ? 204 : 202;
        var coach = await Sim.NewAccountAsync();
        var subscription = await coach.SubscribeAsync(receiver, ["invitee.created", "invitee.canceled"]);

        var booked = await Sim.BookFirstFreeSlotAsync(coach);
        await receiver.WaitForAsync(1);
        await Sim.PostJsonAsync("/_sim/cancellations", new { invitee = booked.InviteeUri });
        await receiver.WaitForAsync(2);
        await Task.Delay(LongerThanARetry);

        await Assert.That(receiver.Deliveries.Select(d => d.Event)).IsEquivalentTo(["invitee.created", "invitee.canceled"]);
        await Assert.That((await SubscriptionAsync(coach, subscription)).GetProperty("retry_started_at").ValueKind).IsEqualTo(JsonValueKind.Null);
    }

    [Test]
    [Property("Reference", "§8.5")]
    public async Task A_redirect_is_not_followed_and_counts_as_a_failure()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.StatusFor = _ => 302;
        var coach = await Sim.NewAccountAsync();
        var subscription = await coach.SubscribeAsync(receiver, ["invitee.created"]);

        await Sim.BookFirstFreeSlotAsync(coach);
        var retrying = await Eventually.GetAsync(async () =>
        {
            var s = await SubscriptionAsync(coach, subscription);
            return s.GetProperty("retry_started_at").GetString() is not null && receiver.Deliveries.Count >= 2 ? (object)s : null;
        });
        using var stopRetrying = await coach.Api.DeleteAsync($"/webhook_subscriptions/{subscription.Text("uri").Uuid()}");

        await Assert.That(retrying).IsNotNull();
        await Assert.That(receiver.RedirectsFollowed).IsEqualTo(0);
    }

    [Test]
    [Property("Reference", "§8.5")]
    public async Task A_410_Gone_deletes_the_subscription_at_once_without_a_retry()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.StatusFor = _ => 410;
        var coach = await Sim.NewAccountAsync();
        var subscription = await coach.SubscribeAsync(receiver, ["invitee.created"]);

        await Sim.BookFirstFreeSlotAsync(coach);
        await Eventually.GetAsync(async () =>
        {
            using var response = await coach.Api.GetAsync($"/webhook_subscriptions/{subscription.Text("uri").Uuid()}");
            return response.StatusCode == HttpStatusCode.NotFound ? response.StatusCode.ToString() : null;
        });
        await Task.Delay(LongerThanARetry);
        var listed = await coach.Api.GetJsonAsync(
            $"/webhook_subscriptions?organization={Uri.EscapeDataString(coach.OrganizationUri)}&scope=user&user={Uri.EscapeDataString(coach.UserUri)}");

        await Assert.That(receiver.Deliveries.Count).IsEqualTo(1);
        await Assert.That(listed.GetProperty("collection").GetArrayLength()).IsEqualTo(0);
    }

    [Test]
    [Property("Reference", "§8.5")]
    public async Task A_receiver_stalling_past_the_read_timeout_fails_and_is_retried()
    {
        // A simulator of its own: the read timeout is one second here.
        await using var sim = await TestSimulator.StartAsync(TestSimulator.DefaultSettings with { WebhookReadTimeout = TimeSpan.FromSeconds(1) });
        await using var receiver = await WebhookReceiver.StartAsync();
        var stall = TimeSpan.FromSeconds(5);
        receiver.StallFor = attempt => attempt == 1 ? stall : TimeSpan.Zero;
        var coach = await sim.NewAccountAsync();
        await coach.SubscribeAsync(receiver, ["invitee.created"]);

        var stopwatch = Stopwatch.StartNew();
        await sim.BookFirstFreeSlotAsync(coach);
        var deliveries = await Eventually.GetAsync(() => receiver.Deliveries.Count >= 2 ? receiver.Deliveries : null);

        await Assert.That(deliveries[1].Attempt).IsEqualTo(2);
        await Assert.That(stopwatch.Elapsed).IsLessThan(stall);
    }

    private static async Task<JsonElement> SubscriptionAsync(SimAccount account, JsonElement subscription) =>
        (await account.Api.GetJsonAsync($"/webhook_subscriptions/{subscription.Text("uri").Uuid()}")).GetProperty("resource");
}
