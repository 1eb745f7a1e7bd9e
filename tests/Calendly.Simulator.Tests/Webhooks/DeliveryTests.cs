using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Calendly.Simulator.OAuth;
using Calendly.Simulator.Tests.Support;

namespace Calendly.Simulator.Tests.Webhooks;

[ClassDataSource<SimulatorFixture>(Shared = SharedType.PerTestSession)]
public sealed class DeliveryTests(SimulatorFixture fixture)
{
    private TestSimulator Sim => fixture.Simulator;

    [Test]
    public async Task A_booking_delivers_invitee_created_signed_with_the_applications_key()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var coach = await Sim.NewAccountAsync();
        await coach.SubscribeAsync(receiver, ["invitee.created"]);

        var booked = await Sim.BookFirstFreeSlotAsync(coach);
        var delivery = (await receiver.WaitForAsync(1))[0];

        await Assert.That(IsSignedWith(delivery, OAuthClient.DevelopmentWebhookSigningKey)).IsTrue();
        await Assert.That(delivery.Json.Names()).IsEquivalentTo(["event", "created_at", "created_by", "payload"]);
        await Assert.That(delivery.Event).IsEqualTo("invitee.created");
        await Assert.That(delivery.Json.Text("created_by")).IsEqualTo(coach.UserUri);
        await Assert.That(delivery.Json.Text("created_at").IsCalendlyTimestamp()).IsTrue();
        await Assert.That(delivery.Payload.Text("uri")).IsEqualTo(booked.InviteeUri);
        await Assert.That(delivery.Payload.Text("status")).IsEqualTo("active");
        await Assert.That(delivery.Payload.GetProperty("scheduled_event").Text("uri")).IsEqualTo(booked.EventUri);
        await Assert.That(delivery.Payload.GetProperty("scheduled_event").GetProperty("event_memberships")[0].Text("user_email"))
            .EndsWith("@example.test");
    }

    [Test]
    public async Task A_subscription_created_with_its_own_signing_key_is_signed_with_that_key()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var coach = await Sim.NewAccountAsync();
        await coach.SubscribeAsync(receiver, ["invitee.created"], signingKey: "my-own-key");

        await Sim.BookFirstFreeSlotAsync(coach);
        var delivery = (await receiver.WaitForAsync(1))[0];

        await Assert.That(IsSignedWith(delivery, "my-own-key")).IsTrue();
        await Assert.That(IsSignedWith(delivery, OAuthClient.DevelopmentWebhookSigningKey)).IsFalse();
    }

    [Test]
    public async Task An_organization_subscription_hears_about_every_member_and_only_the_subscribed_events()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var owner = await Sim.NewAccountAsync();
        var member = await Sim.NewAccountAsync(organization: owner.OrganizationUri);
        await owner.SubscribeAsync(receiver, ["invitee.canceled"], scope: "organization");

        var booked = await Sim.BookFirstFreeSlotAsync(member);
        await Sim.PostJsonAsync("/_sim/cancellations", new { invitee = booked.InviteeUri, reason = "Ill" });
        var delivery = (await receiver.WaitForAsync(1))[0];

        await Assert.That(delivery.Event).IsEqualTo("invitee.canceled");
        await Assert.That(delivery.Payload.GetProperty("cancellation").Text("canceler_type")).IsEqualTo("invitee");
        await Assert.That(delivery.Payload.GetProperty("cancellation").Text("reason")).IsEqualTo("Ill");
        await Assert.That(delivery.Payload.GetProperty("scheduled_event").Text("status")).IsEqualTo("canceled");
        await Assert.That(receiver.Deliveries.Count(d => d.Event == "invitee.created")).IsEqualTo(0);
    }

    [Test]
    public async Task Host_cancellation_of_a_group_event_sends_one_invitee_canceled_per_active_invitee()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var coach = await Sim.NewAccountAsync();
        await coach.SubscribeAsync(receiver, ["invitee.canceled"]);
        var groupType = await coach.EventTypeUriAsync(1);
        var slot = (await coach.FreeSlotsAsync(groupType))[0].Text("start_time");
        var first = await Sim.BookAsync(groupType, slot, "one@example.com");
        var second = await Sim.BookAsync(groupType, slot, "two@example.com");

        using var cancel = await coach.Api.PostAsJsonAsync($"/scheduled_events/{first.EventUri.Uuid()}/cancellation", new { reason = "Snow" });
        var deliveries = await receiver.WaitForAsync(2);

        await Assert.That(second.EventUri).IsEqualTo(first.EventUri);
        await Assert.That(deliveries.Select(d => d.Payload.Text("uri"))).IsEquivalentTo([first.InviteeUri, second.InviteeUri]);
        await Assert.That(deliveries.All(d => d.Payload.GetProperty("cancellation").Text("canceler_type") == "host")).IsTrue();
    }

    [Test]
    public async Task A_reschedule_cancels_the_old_invitee_and_creates_a_new_one_on_a_new_event()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var coach = await Sim.NewAccountAsync();
        await coach.SubscribeAsync(receiver, ["invitee.created", "invitee.canceled"]);
        var eventType = await coach.EventTypeUriAsync();
        var slots = await coach.FreeSlotsAsync(eventType);
        var booked = await Sim.BookAsync(eventType, slots[0].Text("start_time"));

        var moved = await Sim.PostJsonAsync("/_sim/reschedulings", new { invitee = booked.InviteeUri, startTime = slots[3].Text("start_time") });
        var deliveries = await receiver.WaitForAsync(3);

        var canceled = deliveries.Single(d => d.Event == "invitee.canceled").Payload;
        // Deliveries run in parallel, so they may arrive in any order.
        var created = deliveries.Single(d => d.Event == "invitee.created" && d.Payload.Text("uri") == moved.Text("invitee")).Payload;
        await Assert.That(canceled.Text("uri")).IsEqualTo(booked.InviteeUri);
        await Assert.That(canceled.GetProperty("rescheduled").GetBoolean()).IsTrue();
        await Assert.That(canceled.Text("new_invitee")).IsEqualTo(moved.Text("invitee"));
        await Assert.That(created.Text("old_invitee")).IsEqualTo(booked.InviteeUri);
        await Assert.That(created.GetProperty("scheduled_event").Text("uri")).IsNotEqualTo(booked.EventUri);
        await Assert.That(created.GetProperty("scheduled_event").Text("start_time")).IsEqualTo(slots[3].Text("start_time"));
    }

    [Test]
    public async Task No_shows_fire_invitee_no_show_created_and_deleted()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var coach = await Sim.NewAccountAsync();
        await coach.SubscribeAsync(receiver, ["invitee_no_show.created", "invitee_no_show.deleted"]);
        var booked = await Sim.BookFirstFreeSlotAsync(coach);

        using var created = await coach.Api.PostAsJsonAsync("/invitee_no_shows", new { invitee = booked.InviteeUri });
        var noShow = (await created.JsonAsync()).GetProperty("resource").Text("uri");
        using var deleted = await coach.Api.DeleteAsync($"/invitee_no_shows/{noShow.Uuid()}");
        var deliveries = await receiver.WaitForAsync(2);

        var marked = deliveries.Single(d => d.Event == "invitee_no_show.created").Payload;
        await Assert.That(marked.GetProperty("no_show").Text("uri")).IsEqualTo(noShow);
        await Assert.That(deliveries.Single(d => d.Event == "invitee_no_show.deleted").Payload.GetProperty("no_show").ValueKind)
            .IsEqualTo(System.Text.Json.JsonValueKind.Null);
    }

    [Test]
    public async Task A_failed_delivery_is_retried_with_retry_started_at_set_until_it_succeeds()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.StatusFor = attempt => attempt <= 2 ? 500 : 200;
        var coach = await Sim.NewAccountAsync();
        var subscription = await coach.SubscribeAsync(receiver, ["invitee.created"]);

        await Sim.BookFirstFreeSlotAsync(coach);
        var delivered = (await receiver.WaitForAsync(1))[0];
        var after = await Eventually.GetAsync(async () =>
        {
            var s = (await coach.Api.GetJsonAsync($"/webhook_subscriptions/{subscription.Text("uri").Uuid()}")).GetProperty("resource");
            return s.GetProperty("retry_started_at").GetString() is null ? (object)s : null;
        });

        await Assert.That(delivered.Attempt).IsEqualTo(3);
        await Assert.That(receiver.Deliveries.Select(d => d.Body).Distinct(new BytesComparer()).Count()).IsEqualTo(1);
        await Assert.That(after).IsNotNull();
    }

    /// <summary>Independent of the simulator's signer: recomputes v1 over "t.body" and compares.</summary>
    public static bool IsSignedWith(WebhookReceiver.Delivery delivery, string key)
    {
        var parts = delivery.Signature!.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var signed = Encoding.UTF8.GetBytes(parts["t"] + ".").Concat(delivery.Body).ToArray();
        var expected = Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), signed)).ToLowerInvariant();
        var age = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - long.Parse(parts["t"], CultureInfo.InvariantCulture);
        return parts["v1"] == expected && age is >= -5 and < 180;
    }

    private sealed class BytesComparer : IEqualityComparer<byte[]>
    {
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);
        public int GetHashCode(byte[] obj) => obj.Length;
    }
}
