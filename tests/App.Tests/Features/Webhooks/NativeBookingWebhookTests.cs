using System.Net;
using System.Text.Json;
using App.Features.Webhooks;
using App.Infrastructure.Caching;
using App.Infrastructure.Calendly;
using App.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using static App.Tests.Features.NativeBooking.Booking;
using static App.Tests.Support.ApiResponses;

namespace App.Tests.Features.Webhooks;

/// <summary>
/// A booking made in the app (NativeBooking's route) and Calendly's invitee.created for it become one session, whichever
/// arrives first: the webhook's effects upsert the row the booking wrote. Here, with the webhook slice, because it is
/// the webhook's half of the promise.
/// </summary>
[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed class NativeBookingWebhookTests(AppFixture app)
{
    private Task<Realtor> RealtorAsync(string timeZone = "UTC") => App.Tests.Features.NativeBooking.Booking.RealtorAsync(app.Host, app.Database, timeZone);

    /// <summary>A coach, a realtor, and a free time of the coach's one-on-one event type the realtor has seen.</summary>
    private async Task<(ConnectedCoaches.ConnectedCoach Coach, Realtor Realtor, string EventUri, DateTimeOffset Start)> SlotAsync(
        string timeZone = "UTC")
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var realtor = await RealtorAsync(timeZone);
        var eventUri = coach.Account.EventTypes[0];
        return (coach, realtor, eventUri, (await FreeStartsAsync(realtor.Browser, eventUri))[0]);
    }

    private static object Body(string eventUri, DateTimeOffset start) => new { eventUri, startTime = Iso(start) };

    /// <summary>Calendly sends the coach's webhooks to a test inbox, from which the test hands them to the app.</summary>
    private async Task<WebhookInbox> SubscribeAsync(ConnectedCoaches.ConnectedCoach coach)
    {
        var inbox = await WebhookInbox.StartAsync();
        await app.Host.Services.GetRequiredService<CalendlyClient>().CreateWebhookSubscriptionAsync(coach.Tokens.AccessToken,
            new WebhookSubscriptionRequest(inbox.Url, CalendlyWebhookSubscriptions.Events, coach.Tokens.Organization, "user", coach.Account.Uri, null),
            CancellationToken.None);
        return inbox;
    }

    /// <summary>Delivers Calendly's webhook to the app as Calendly would, and applies it (other tests' runs may claim it first).</summary>
    private async Task ApplyAsync(WebhookInbox.Delivery delivery, string marker)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/calendly/webhooks") { Content = new ByteArrayContent(delivery.Body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add(WebhooksModule.SignatureHeader, delivery.Signature);
        (await app.NewBrowser().SendAsync(request)).EnsureSuccessStatusCode();
        var services = app.Host.Services;
        await using var db = await app.Database.OpenAsync();
        for (var deadline = DateTime.UtcNow.AddSeconds(15); DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            await WebhookProcessingJob.RunOnceAsync(services.GetRequiredService<NpgsqlDataSource>(), services.GetRequiredService<ClusterCache>(),
                services.GetRequiredService<WebhookOptions>(), services.GetRequiredService<App.Infrastructure.Telemetry.CalendlyMetrics>(), NullLogger.Instance, CancellationToken.None);
            if (await db.ExecuteScalarAsync<int>("""
                    select count(*) from calendly_webhook_events
                    where payload::text like '%' || @marker || '%' and processed_at is null and parked_at is null
                    """, new { marker }) == 0)
                return;
        }
        throw new TimeoutException($"The webhook about {marker} was not applied.");
    }

    private async Task<(long RealtorId, string Source)> SessionOfAsync(string inviteeUri)
    {
        await using var db = await app.Database.OpenAsync();
        return await db.QuerySingleAsync<(long, string)>("select realtor_id, source from sessions where invitee_uri = @inviteeUri", new { inviteeUri });
    }

    [Test]
    public async Task The_webhook_that_follows_Calendly_s_answer_updates_the_same_session()
    {
        var (coach, realtor, eventUri, start) = await SlotAsync();
        await using var inbox = await SubscribeAsync(coach);

        var response = await BookAsync(realtor.Browser, Body(eventUri, start), NewKey());
        var inviteeUri = (await DataAsync(response)).GetProperty("invitees")[0].GetProperty("uri").GetString()!;
        await ApplyAsync(await inbox.WaitForAsync("invitee.created", inviteeUri), realtor.BookingRef);

        await Assert.That(await SessionRowsAsync(app.Database, inviteeUri)).IsEqualTo(1);
        await Assert.That(await SessionOfAsync(inviteeUri)).IsEqualTo((realtor.Id, "booking"));
    }

    [Test]
    public async Task The_webhook_that_arrives_before_Calendly_s_answer_makes_the_session_the_answer_then_gives()
    {
        var (coach, realtor, eventUri, start) = await SlotAsync();
        await using var inbox = await SubscribeAsync(coach);
        // Calendly books at once but its answer trickles in, so its webhook is delivered and applied first.
        await app.Simulator.SetFaultsAsync(new { slowBodyMs = 4000, endpoints = new[] { "POST /invitees" }, user = coach.Account.Uri });

        var booking = BookAsync(realtor.Browser, Body(eventUri, start), NewKey());
        var delivery = await inbox.WaitForAsync("invitee.created", realtor.BookingRef);
        await ApplyAsync(delivery, realtor.BookingRef);
        var inviteeUri = JsonDocument.Parse(delivery.Body).RootElement.GetProperty("payload").GetProperty("uri").GetString()!;
        await Assert.That(booking.IsCompleted).IsFalse();
        await Assert.That(await SessionOfAsync(inviteeUri)).IsEqualTo((realtor.Id, "webhook"));

        var response = await booking;

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Created);
        await Assert.That((await DataAsync(response)).GetProperty("invitees")[0].GetProperty("uri").GetString()).IsEqualTo(inviteeUri);
        await Assert.That(await SessionRowsAsync(app.Database, inviteeUri)).IsEqualTo(1);
        await Assert.That(await SessionOfAsync(inviteeUri)).IsEqualTo((realtor.Id, "webhook"));
    }
}
