using System.Net;
using System.Text.Json;
using Alba;
using App.Infrastructure.Calendly;
using App.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using static App.Tests.Support.NativeBookings;

namespace App.Tests.Features.NativeBooking;

/// <summary>
/// A booking made in the app and Calendly's invitee.created for it become one session, whichever arrives first: the
/// webhook's effects upsert the row the booking wrote. The app here has the Webhooks slice's processor running (on a
/// database of its own, where it claims nobody else's events), so the test needs nothing of that slice but its route.
/// </summary>
[NeedsSlices("Webhooks", "FreeTimes")]
[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed class NativeBookingWebhookTests(AppFixture app)
{
    private sealed record OwnApp(IAlbaHost Host, TestDatabase Database) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Host.DisposeAsync();
            await Database.DisposeAsync();
        }
    }

    private async Task<OwnApp> StartAsync()
    {
        var database = await TestDatabase.CreateAsync();
        var settings = app.Simulator.AppSettings();
        settings["WEBHOOK_PROCESSING_ENABLED"] = "true";
        return new OwnApp(await AppHost.StartAsync(database.ConnectionString, settings), database);
    }

    /// <summary>A coach, a realtor, and a free time of the coach's one-on-one event type the realtor has seen.</summary>
    private async Task<(ConnectedCoaches.ConnectedCoach Coach, Realtor Realtor, string EventUri, DateTimeOffset Start)> SlotAsync(
        OwnApp own, string timeZone = "UTC")
    {
        var coach = await ConnectedCoaches.ConnectAsync(own.Host, own.Database, app.Simulator);
        var realtor = await RealtorAsync(own.Host, own.Database, timeZone);
        var eventUri = coach.Account.EventTypes[0];
        return (coach, realtor, eventUri, (await FreeStartsAsync(realtor.Browser, eventUri))[0]);
    }

    private static object Body(string eventUri, DateTimeOffset start) => new { eventUri, startTime = Iso(start) };

    /// <summary>Calendly sends the coach's webhooks to a test inbox, from which the test hands them to the app.</summary>
    private static async Task<WebhookInbox> SubscribeAsync(OwnApp own, ConnectedCoaches.ConnectedCoach coach)
    {
        var inbox = await WebhookInbox.StartAsync();
        await own.Host.Services.GetRequiredService<CalendlyClient>().CreateWebhookSubscriptionAsync(coach.Tokens.AccessToken,
            new WebhookSubscriptionRequest(inbox.Url, CalendlyWebhookSubscriptions.Events, coach.Tokens.Organization, "user", coach.Account.Uri, null),
            CancellationToken.None);
        return inbox;
    }

    /// <summary>Delivers Calendly's webhook to the app as Calendly would, and waits for the app's processor to apply it.</summary>
    private static async Task ApplyAsync(OwnApp own, WebhookInbox.Delivery delivery, string marker)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/calendly/webhooks") { Content = new ByteArrayContent(delivery.Body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("Calendly-Webhook-Signature", delivery.Signature);
        (await new Browser(own.Host.Server.CreateClient()).SendAsync(request)).EnsureSuccessStatusCode();
        await using var db = await own.Database.OpenAsync();
        for (var deadline = DateTime.UtcNow.AddSeconds(15); DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            if (await db.ExecuteScalarAsync<int>("""
                    select count(*) from calendly_webhook_events
                    where payload::text like '%' || @marker || '%' and processed_at is null and parked_at is null
                    """, new { marker }) == 0)
                return;
        }
        throw new TimeoutException($"The webhook about {marker} was not applied.");
    }

    private static async Task<(long RealtorId, string Source)> SessionOfAsync(OwnApp own, string inviteeUri)
    {
        await using var db = await own.Database.OpenAsync();
        return await db.QuerySingleAsync<(long, string)>("select realtor_id, source from sessions where invitee_uri = @inviteeUri", new { inviteeUri });
    }

    [Test]
    public async Task The_webhook_that_follows_Calendly_s_answer_updates_the_same_session()
    {
        await using var own = await StartAsync();
        var (coach, realtor, eventUri, start) = await SlotAsync(own);
        await using var inbox = await SubscribeAsync(own, coach);

        var response = await BookAsync(realtor.Browser, Body(eventUri, start), NewKey());
        var inviteeUri = (await DataAsync(response)).GetProperty("invitees")[0].GetProperty("uri").GetString()!;
        await ApplyAsync(own, await inbox.WaitForAsync("invitee.created", inviteeUri), realtor.BookingRef);

        await Assert.That(await SessionRowsAsync(own.Database, inviteeUri)).IsEqualTo(1);
        await Assert.That(await SessionOfAsync(own, inviteeUri)).IsEqualTo((realtor.Id, "booking"));
    }

    [Test]
    public async Task The_webhook_that_arrives_before_Calendly_s_answer_makes_the_session_the_answer_then_gives()
    {
        await using var own = await StartAsync();
        var (coach, realtor, eventUri, start) = await SlotAsync(own);
        await using var inbox = await SubscribeAsync(own, coach);
        // Calendly books at once but its answer trickles in, so its webhook is delivered and applied first.
        await app.Simulator.SetFaultsAsync(new { slowBodyMs = 4000, endpoints = new[] { "POST /invitees" }, user = coach.Account.Uri });

        var booking = BookAsync(realtor.Browser, Body(eventUri, start), NewKey());
        var delivery = await inbox.WaitForAsync("invitee.created", realtor.BookingRef);
        await ApplyAsync(own, delivery, realtor.BookingRef);
        var inviteeUri = JsonDocument.Parse(delivery.Body).RootElement.GetProperty("payload").GetProperty("uri").GetString()!;
        await Assert.That(booking.IsCompleted).IsFalse();
        await Assert.That(await SessionOfAsync(own, inviteeUri)).IsEqualTo((realtor.Id, "webhook"));

        var response = await booking;

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Created);
        await Assert.That((await DataAsync(response)).GetProperty("invitees")[0].GetProperty("uri").GetString()).IsEqualTo(inviteeUri);
        await Assert.That(await SessionRowsAsync(own.Database, inviteeUri)).IsEqualTo(1);
        await Assert.That(await SessionOfAsync(own, inviteeUri)).IsEqualTo((realtor.Id, "webhook"));
    }
}
