using Calendly.Simulator.Tests.Support;

namespace Calendly.Simulator.Tests.Webhooks;

/// <summary>The failure window is measured by the simulator clock, so this test moves it on a simulator of its own.</summary>
public sealed class DisablingTests
{
    [Test]
    public async Task A_subscription_failing_for_the_whole_window_is_disabled()
    {
        await using var sim = await TestSimulator.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.StatusFor = _ => 503;
        var coach = await sim.NewAccountAsync();
        var uuid = (await coach.SubscribeAsync(receiver, ["invitee.created"])).Text("uri").Uuid();

        await sim.BookFirstFreeSlotAsync(coach);
        await Eventually.GetAsync(async () => (await Subscription(coach, uuid)).GetProperty("retry_started_at").GetString());
        await sim.PostJsonAsync("/_sim/clock", new { advanceSeconds = 25 * 3600 });
        var later = await sim.AccountForAsync(coach.UserUri); // the first token expired with the jump
        var disabled = await Eventually.GetAsync(async () =>
        {
            var s = await Subscription(later, uuid);
            return s.Text("state") == "disabled" ? (object)s : null;
        });

        await Assert.That(disabled).IsNotNull();
        await Assert.That(receiver.Deliveries.Count).IsGreaterThanOrEqualTo(2);
    }

    private static async Task<System.Text.Json.JsonElement> Subscription(SimAccount coach, string uuid) =>
        (await coach.Api.GetJsonAsync($"/webhook_subscriptions/{uuid}")).GetProperty("resource");
}
