using Alba;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using App.Features.Webhooks;
using App.Infrastructure.Caching;
using App.Infrastructure.Calendly;
using App.Infrastructure.Configuration;
using App.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using ZiggyCreatures.Caching.Fusion;

namespace App.Tests.Features.Webhooks;

[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed class WebhooksTests(AppFixture app)
{
    /// <summary>A connected coach whose Calendly delivers its webhooks to a test inbox, as it would to the app.</summary>
    private async Task<(ConnectedCoaches.ConnectedCoach Coach, WebhookInbox Inbox)> SubscribedCoachAsync()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var inbox = await WebhookInbox.StartAsync();
        await app.Host.Services.GetRequiredService<CalendlyClient>().CreateWebhookSubscriptionAsync(coach.Tokens.AccessToken,
            new WebhookSubscriptionRequest(inbox.Url, CalendlyWebhookSubscriptions.Events, coach.Tokens.Organization, "user", coach.Account.Uri, null), CancellationToken.None);
        return (coach, inbox);
    }

    private async Task<(long Id, string BookingRef)> RealtorAsync()
    {
        var externalId = $"realtor-{Guid.NewGuid():N}";
        var id = await ConnectedCoaches.CreateUserAsync(app.Database, externalId, "realtor");
        await using var db = await app.Database.OpenAsync();
        return (id, (await db.ExecuteScalarAsync<string>("select booking_ref from users where id = @id", new { id }))!);
    }

    private async Task<HttpResponseMessage> DeliverAsync(byte[] body, string? signature, IAlbaHost? host = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/calendly/webhooks") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        if (signature is not null) request.Headers.Add(WebhooksModule.SignatureHeader, signature);
        return await (host is null ? app.NewBrowser() : new Browser(host.Server.CreateClient())).SendAsync(request);
    }

    private static string Sign(byte[] body, long timestamp, string key = CalendlyOptions.DevWebhookSigningKey) =>
        CalendlyDeliveries.Sign(body, timestamp, key);

    private async Task ProcessAsync(IAlbaHost? host = null)
    {
        var services = (host ?? app.Host).Services;
        await WebhookProcessingJob.RunOnceAsync(services.GetRequiredService<NpgsqlDataSource>(),
            services.GetRequiredService<App.Infrastructure.Caching.ClusterCache>(), services.GetRequiredService<WebhookOptions>(),
            services.GetRequiredService<App.Infrastructure.Telemetry.CalendlyMetrics>(), NullLogger.Instance, CancellationToken.None);
    }

    /// <summary>
    /// Runs the processor until every stored event mentioning <paramref name="marker"/> is processed. Tests run in
    /// parallel over one table, so another test's run may have claimed (and be applying) this test's events.
    /// </summary>
    private async Task ProcessAllAsync(string marker)
    {
        await using var db = await app.Database.OpenAsync();
        for (var deadline = DateTime.UtcNow.AddSeconds(15); DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            await ProcessAsync();
            if (await db.ExecuteScalarAsync<int>("""
                    select count(*) from calendly_webhook_events
                    where payload::text like '%' || @marker || '%' and processed_at is null and parked_at is null
                    """, new { marker }) == 0)
                return;
        }
        throw new TimeoutException($"Events about {marker} were not processed.");
    }

    private async Task<int> StoredCountAsync(string fragment)
    {
        await using var db = await app.Database.OpenAsync();
        return await db.ExecuteScalarAsync<int>("select count(*) from calendly_webhook_events where payload::text like '%' || @fragment || '%'",
            new { fragment });
    }

    private async Task<SimulatorServer.SimBooking> BookAsync(ConnectedCoaches.ConnectedCoach coach, string? utmContent)
    {
        var eventType = coach.Account.EventTypes[0];
        return await app.Simulator.BookAsync(eventType, await app.Simulator.FirstFreeSlotAsync(coach.Tokens.AccessToken, eventType),
            "invitee@example.test", utmContent);
    }

    [Test]
    public async Task A_signed_delivery_is_stored_once_however_often_it_arrives()
    {
        var (coach, inbox) = await SubscribedCoachAsync();
        await using var _ = inbox;
        var booking = await BookAsync(coach, null);
        var delivery = await inbox.WaitForAsync("invitee.created", booking.Invitee);

        var first = await DeliverAsync(delivery.Body, delivery.Signature);
        var again = await DeliverAsync(delivery.Body, delivery.Signature);

        await Assert.That(first.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That((await Browser.JsonAsync(first)).GetProperty("data").GetProperty("stored").GetBoolean()).IsTrue();
        await Assert.That(again.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That((await Browser.JsonAsync(again)).GetProperty("data").GetProperty("duplicate").GetBoolean()).IsTrue();
        await Assert.That(await StoredCountAsync(booking.Invitee)).IsEqualTo(1);
    }

    [Test]
    public async Task Deliveries_of_one_event_arriving_together_store_it_once()
    {
        var marker = $"https://api.calendly.test/scheduled_events/{Guid.NewGuid()}/invitees/{Guid.NewGuid()}";
        var body = Encoding.UTF8.GetBytes($$$$"""{"event":"routing_form_submission.created","created_at":"2026-02-01T10:00:00.000000Z","payload":{"uri":"{{{{marker}}}}"}}""");
        var signature = Sign(body, DateTimeOffset.UtcNow.ToUnixTimeSeconds());

        // Sent at once, so that most of them land in the same batch of the writer.
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => DeliverAsync(body, signature)));

        await Assert.That(responses.All(r => r.StatusCode == HttpStatusCode.OK)).IsTrue();
        var answers = await Task.WhenAll(responses.Select(async r => (await Browser.JsonAsync(r)).GetProperty("data")));
        await Assert.That(answers.Count(a => a.GetProperty("stored").GetBoolean())).IsEqualTo(1);
        await Assert.That(answers.Count(a => a.GetProperty("duplicate").GetBoolean())).IsEqualTo(19);
        await Assert.That(await StoredCountAsync(marker)).IsEqualTo(1);
    }

    [Test]
    public async Task Forged_stale_or_unsigned_deliveries_are_refused_and_nothing_is_stored()
    {
        var marker = $"forged-{Guid.NewGuid():N}";
        var body = Encoding.UTF8.GetBytes($$$$"""{"event":"invitee.created","created_at":"2026-01-01T00:00:00.000000Z","payload":{"uri":"{{{{marker}}}}"}}""");
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace("invitee.created", "invitee.canceled"));

        var refused = new[]
        {
            await DeliverAsync(body, null),
            await DeliverAsync(body, "nonsense"),
            await DeliverAsync(body, Sign(body, now, key: "someone-else's-key")),
            await DeliverAsync(body, Sign(body, now - 600)),
            await DeliverAsync(tampered, Sign(body, now)),
            await DeliverAsync(body, $"t={now},v1=zz"),
        };

        foreach (var response in refused)
        {
            await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Unauthorized);
            await Assert.That((await Browser.JsonAsync(response)).GetProperty("error").GetProperty("code").GetString()).IsEqualTo("invalid_signature");
        }
        await Assert.That(await StoredCountAsync(marker)).IsEqualTo(0);
        await Assert.That((await DeliverAsync(body, Sign(body, now))).StatusCode).IsEqualTo(HttpStatusCode.OK);
    }

    [Test]
    public async Task An_oversized_delivery_is_refused_with_413()
    {
        var body = Encoding.UTF8.GetBytes(new string('x', 300_000));
        var response = await DeliverAsync(body, Sign(body, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.RequestEntityTooLarge);
    }

    [Test]
    public async Task A_signed_body_that_is_not_an_event_is_kept_with_its_error_and_acknowledged()
    {
        var marker = $"not-json-{Guid.NewGuid():N}";
        var body = Encoding.UTF8.GetBytes(marker);
        var response = await DeliverAsync(body, Sign(body, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await using var db = await app.Database.OpenAsync();
        var row = await db.QuerySingleAsync<(string Error, DateTimeOffset? ProcessedAt)>(
            "select error, processed_at from calendly_webhook_events where payload::text like '%' || @marker || '%'", new { marker });
        await Assert.That(row.Error).Contains("not JSON");
        await Assert.That(row.ProcessedAt).IsNotNull();
    }

    [Test]
    public async Task A_booking_becomes_the_realtor_s_session_and_processing_it_twice_changes_nothing()
    {
        var (coach, inbox) = await SubscribedCoachAsync();
        await using var _ = inbox;
        var realtor = await RealtorAsync();
        var booking = await BookAsync(coach, realtor.BookingRef);
        var delivery = await inbox.WaitForAsync("invitee.created", booking.Invitee);
        await DeliverAsync(delivery.Body, delivery.Signature);

        await ProcessAllAsync(booking.Invitee);
        await using var db = await app.Database.OpenAsync();
        const string sql = "select realtor_id, coach_id, status, source, updated_at from sessions where invitee_uri = @Invitee";
        var row = await db.QuerySingleAsync<(long RealtorId, long CoachId, string Status, string Source, DateTimeOffset UpdatedAt)>(sql, new { booking.Invitee });
        await Assert.That(row.RealtorId).IsEqualTo(realtor.Id);
        await Assert.That(row.CoachId).IsEqualTo(coach.UserId);
        await Assert.That(row.Status).IsEqualTo("active");
        await Assert.That(row.Source).IsEqualTo("webhook");
        await Assert.That(await db.ExecuteScalarAsync<DateTimeOffset?>("select last_webhook_at from calendly_integrations where user_id = @UserId",
            new { coach.UserId })).IsNotNull();

        // An operator replays it (or a back-filled copy arrives): the same row, the same data.
        await db.ExecuteAsync("update calendly_webhook_events set processed_at = null, next_attempt_at = now() where payload::text like '%' || @Invitee || '%'", new { booking.Invitee });
        await ProcessAllAsync(booking.Invitee);
        await Assert.That(await db.ExecuteScalarAsync<int>("select count(*) from sessions where invitee_uri = @Invitee", new { booking.Invitee })).IsEqualTo(1);
        var after = await db.QuerySingleAsync<(long RealtorId, long CoachId, string Status, string Source, DateTimeOffset UpdatedAt)>(sql, new { booking.Invitee });
        await Assert.That(after).IsEqualTo(row);
    }

    [Test]
    public async Task A_booking_names_the_coach_as_Calendly_names_them_now()
    {
        var (coach, inbox) = await SubscribedCoachAsync();
        await using var _ = inbox;
        var realtor = await RealtorAsync();
        await using var db = await app.Database.OpenAsync();
        // The coach was renamed in Calendly since the app last read their profile.
        await db.ExecuteAsync("update calendly_integrations set calendly_name = 'Their old name' where user_id = @UserId", new { coach.UserId });
        var booking = await BookAsync(coach, realtor.BookingRef);
        var delivery = await inbox.WaitForAsync("invitee.created", booking.Invitee);
        await DeliverAsync(delivery.Body, delivery.Signature);

        await ProcessAllAsync(booking.Invitee);

        await Assert.That(await db.ExecuteScalarAsync<string>("select name from display_names where user_id = @UserId", new { coach.UserId }))
            .IsEqualTo(coach.Account.Name);
    }

    [Test]
    public async Task A_booking_made_on_Calendly_directly_goes_to_the_realtor_with_the_invitee_s_email()
    {
        var (coach, inbox) = await SubscribedCoachAsync();
        await using var _ = inbox;
        var realtor = await RealtorAsync();
        await using var db = await app.Database.OpenAsync();
        var email = await db.ExecuteScalarAsync<string>("select email from users where id = @Id", new { realtor.Id });
        var eventType = coach.Account.EventTypes[0];
        // No reference from the app's widget, and the email typed in another case.
        var booking = await app.Simulator.BookAsync(eventType, await app.Simulator.FirstFreeSlotAsync(coach.Tokens.AccessToken, eventType),
            email!.ToUpperInvariant(), utmContent: null);
        var delivery = await inbox.WaitForAsync("invitee.created", booking.Invitee);
        await DeliverAsync(delivery.Body, delivery.Signature);

        await ProcessAllAsync(booking.Invitee);

        await Assert.That(await db.ExecuteScalarAsync<long?>("select realtor_id from sessions where invitee_uri = @Invitee", new { booking.Invitee }))
            .IsEqualTo(realtor.Id);
    }

    [Test]
    public async Task An_event_type_the_coach_adds_in_Calendly_evicts_what_is_cached_of_the_coach_once_its_event_type_created_is_applied()
    {
        var (coach, inbox) = await SubscribedCoachAsync();
        await using var _ = inbox;
        // What the slices that read a coach's event types cache under the shared tags (CacheTags) until told otherwise.
        var cache = app.Host.Services.GetRequiredService<IFusionCache>();
        var freeTimes = $"test:free-times:{coach.UserId}";
        var profile = $"test:profile:{coach.UserId}";
        await cache.SetAsync(freeTimes, "cached", tags: [CacheTags.FreeTimesOfCoach(coach.UserId)]);
        await cache.SetAsync(profile, "cached", tags: [CacheTags.CoachProfile(coach.UserId)]);

        var created = await app.Simulator.Http.PostAsJsonAsync("_sim/event_types", new { owner = coach.Account.Uri, name = "Listing Review" });
        var eventType = (await Browser.JsonAsync(created)).GetProperty("uri").GetString()!;
        var delivery = await inbox.WaitForAsync("event_type.created", eventType);
        await Assert.That((await cache.TryGetAsync<string>(freeTimes)).HasValue).IsTrue();

        await DeliverAsync(delivery.Body, delivery.Signature);
        await ProcessAllAsync(eventType);

        await Assert.That((await cache.TryGetAsync<string>(freeTimes)).HasValue).IsFalse();
        await Assert.That((await cache.TryGetAsync<string>(profile)).HasValue).IsFalse();
    }

    [Test]
    public async Task A_cancellation_cancels_the_session_with_its_reason()
    {
        var (coach, inbox) = await SubscribedCoachAsync();
        await using var _ = inbox;
        var realtor = await RealtorAsync();
        var booking = await BookAsync(coach, realtor.BookingRef);
        await DeliverAsync((await inbox.WaitForAsync("invitee.created", booking.Invitee)).Body,
            (await inbox.WaitForAsync("invitee.created", booking.Invitee)).Signature);
        (await app.Simulator.Http.PostAsync("_sim/cancellations", System.Net.Http.Json.JsonContent.Create(new { invitee = booking.Invitee, reason = "Sick" })))
            .EnsureSuccessStatusCode();
        var canceled = await inbox.WaitForAsync("invitee.canceled", booking.Invitee);
        await DeliverAsync(canceled.Body, canceled.Signature);

        await ProcessAllAsync(booking.Invitee);

        await using var db = await app.Database.OpenAsync();
        var row = await db.QuerySingleAsync<(string Status, string? CancelReason, long RealtorId)>(
            "select status, cancel_reason, realtor_id from sessions where invitee_uri = @Invitee", new { booking.Invitee });
        await Assert.That(row.Status).IsEqualTo("canceled");
        await Assert.That(row.CancelReason).IsEqualTo("Sick");
        await Assert.That(row.RealtorId).IsEqualTo(realtor.Id);
    }

    [Test]
    public async Task A_reschedule_is_one_rescheduled_session_not_a_cancellation_and_a_new_booking()
    {
        var (coach, inbox) = await SubscribedCoachAsync();
        await using var _ = inbox;
        var realtor = await RealtorAsync();
        var booking = await BookAsync(coach, realtor.BookingRef);
        var created = await inbox.WaitForAsync("invitee.created", booking.Invitee);
        await DeliverAsync(created.Body, created.Signature);
        await ProcessAllAsync(booking.Invitee);

        var later = (await app.Simulator.FirstFreeSlotAsync(coach.Tokens.AccessToken, coach.Account.EventTypes[0])).AddDays(1);
        var moved = await app.Simulator.Http.PostAsync("_sim/reschedulings",
            System.Net.Http.Json.JsonContent.Create(new { invitee = booking.Invitee, startTime = later }));
        var next = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<SimulatorServer.SimBooking>(moved.Content, Browser.Json))!;
        var oldCanceled = await inbox.WaitForAsync("invitee.canceled", booking.Invitee);
        var newCreated = await inbox.WaitForAsync("invitee.created", next.Invitee);
        await DeliverAsync(oldCanceled.Body, oldCanceled.Signature);
        await DeliverAsync(newCreated.Body, newCreated.Signature);
        await ProcessAllAsync(booking.Invitee);
        await ProcessAllAsync(next.Invitee);

        await using var db = await app.Database.OpenAsync();
        var old = await db.QuerySingleAsync<(string Status, string? RescheduledTo)>(
            "select status, rescheduled_to from sessions where invitee_uri = @Invitee", new { booking.Invitee });
        await Assert.That(old.Status).IsEqualTo("rescheduled");
        await Assert.That(old.RescheduledTo).IsEqualTo(next.Invitee);
        var current = await db.QuerySingleAsync<(string Status, long? RealtorId)>(
            "select status, realtor_id from sessions where invitee_uri = @Invitee", new { next.Invitee });
        await Assert.That(current.Status).IsEqualTo("active");
        await Assert.That(current.RealtorId).IsEqualTo(realtor.Id);
        await Assert.That(await db.ExecuteScalarAsync<int>("select count(*) from sessions where status = 'canceled' and invitee_uri in (@A, @B)",
            new { A = booking.Invitee, B = next.Invitee })).IsEqualTo(0);
    }

    [Test]
    public async Task An_event_for_no_connected_coach_is_kept_not_dropped()
    {
        var stranger = $"https://api.calendly.test/scheduled_events/{Guid.NewGuid()}/invitees/{Guid.NewGuid()}";
        var body = Encoding.UTF8.GetBytes($$$$"""
            {"event":"invitee.created","created_at":"2026-02-01T10:00:00.000000Z","created_by":"https://api.calendly.test/users/NOBODY",
             "payload":{"uri":"{{{{stranger}}}}","email":"x@example.test","name":"X","status":"active",
             "scheduled_event":{"uri":"https://api.calendly.test/scheduled_events/E","name":"Chat","start_time":"2026-02-02T10:00:00.000000Z",
               "end_time":"2026-02-02T10:30:00.000000Z","event_memberships":[{"user":"https://api.calendly.test/users/NOBODY"}]}}}
            """);
        await DeliverAsync(body, Sign(body, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        await ProcessAllAsync(stranger);

        await using var db = await app.Database.OpenAsync();
        var row = await db.QuerySingleAsync<(DateTimeOffset? ProcessedAt, string? Error)>(
            "select processed_at, error from calendly_webhook_events where payload::text like '%' || @stranger || '%'", new { stranger });
        await Assert.That(row.ProcessedAt).IsNotNull();
        await Assert.That(row.Error).Contains("No connected coach");
        await Assert.That(await db.ExecuteScalarAsync<int>("select count(*) from sessions where invitee_uri = @stranger", new { stranger })).IsEqualTo(0);
    }

    [Test]
    public async Task A_failing_event_backs_off_is_parked_after_its_attempts_and_an_admin_replays_it()
    {
        // Its own database: another test's processor could otherwise claim the event while a pass below makes it due
        // again, and the event would be attempted once more than counted (seen in CI).
        await using var calendly = await IsolatedCalendly.StartAsync();
        var host = await calendly.StartAppAsync();
        var coach = await ConnectedCoaches.ConnectAsync(host, calendly.Database, calendly.Simulator);
        var broken = $"https://api.calendly.test/scheduled_events/{Guid.NewGuid()}/invitees/{Guid.NewGuid()}";
        // Hosted by a connected coach but without start_time: applying it fails every time.
        var body = Encoding.UTF8.GetBytes($$$$"""
            {"event":"invitee.created","created_at":"2026-02-01T10:00:00.000000Z",
             "payload":{"uri":"{{{{broken}}}}","scheduled_event":{"uri":"https://api.calendly.test/scheduled_events/E",
               "event_memberships":[{"user":"{{{{coach.Account.Uri}}}}"}]}}}
            """);
        await DeliverAsync(body, Sign(body, DateTimeOffset.UtcNow.ToUnixTimeSeconds()), host);
        await using var db = await calendly.Database.OpenAsync();
        var maxAttempts = host.Services.GetRequiredService<WebhookOptions>().MaxAttempts;
        // Each pass makes it due again instead of waiting out its backoff.
        for (var pass = 0; pass < maxAttempts; pass++)
        {
            var parkedYet = await db.ExecuteScalarAsync<bool>(
                "update calendly_webhook_events set next_attempt_at = now() where payload::text like '%' || @broken || '%' returning parked_at is not null",
                new { broken });
            if (parkedYet) break;
            await ProcessAsync(host);
        }
        var row = await db.QuerySingleAsync<(long Id, int Attempts, DateTimeOffset? ParkedAt, string? Error)>(
            "select id, attempts, parked_at, error from calendly_webhook_events where payload::text like '%' || @broken || '%'", new { broken });
        await Assert.That(row.Attempts).IsEqualTo(maxAttempts);
        await Assert.That(row.ParkedAt).IsNotNull();
        await Assert.That(row.Error).IsNotNull();

        var realtor = await ConnectedCoaches.SignedInAsync(host, $"realtor-{Guid.NewGuid():N}", "realtor");
        await Assert.That((await realtor.GetAsync("/api/admin/webhooks")).StatusCode).IsEqualTo(HttpStatusCode.Forbidden);
        await Assert.That((await realtor.GetAsync("/admin/webhooks")).StatusCode).IsEqualTo(HttpStatusCode.Forbidden);
        var admin = await ConnectedCoaches.SignedInAsync(host, $"admin-{Guid.NewGuid():N}", "admin");
        var recent = (await Browser.JsonAsync(await admin.GetAsync("/api/admin/webhooks"))).GetProperty("data");
        await Assert.That(recent.EnumerateArray().Any(p => p.GetProperty("id").GetInt64() == row.Id && p.GetProperty("state").GetString() == "parked")).IsTrue();
        var page = await (await admin.GetAsync("/admin/webhooks")).Content.ReadAsStringAsync();
        await Assert.That(page).Contains($"action=\"/admin/webhooks/{row.Id}/replay\"");
        await Assert.That(page).Contains("Background jobs");
        var replay = await admin.PostJsonAsync($"/api/admin/webhooks/{row.Id}/replay", new { });
        await Assert.That(replay.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(await db.ExecuteScalarAsync<DateTimeOffset?>("select parked_at from calendly_webhook_events where id = @Id", new { row.Id })).IsNull();
        await Assert.That((await admin.PostJsonAsync("/api/admin/webhooks/999999999/replay", new { })).StatusCode).IsEqualTo(HttpStatusCode.NotFound);

        // The page's form, posted without htmx: back to the page with a notice; an unknown event is an error page.
        await db.ExecuteAsync("update calendly_webhook_events set parked_at = now(), error = 'again' where id = @Id", new { row.Id });
        var fromPage = await admin.PostFormAsync($"/admin/webhooks/{row.Id}/replay", new Dictionary<string, string>());
        await Assert.That(fromPage.StatusCode).IsEqualTo(HttpStatusCode.Redirect);
        await Assert.That(fromPage.Headers.Location!.ToString()).IsEqualTo("/admin/webhooks?notice=webhook-replayed");
        await Assert.That(await db.ExecuteScalarAsync<DateTimeOffset?>("select parked_at from calendly_webhook_events where id = @Id", new { row.Id })).IsNull();
        // With htmx: no content, a toast, and the list told to reload itself.
        await db.ExecuteAsync("update calendly_webhook_events set parked_at = now(), error = 'again' where id = @Id", new { row.Id });
        var fromHtmx = await admin.PostFormAsync($"/admin/webhooks/{row.Id}/replay", new Dictionary<string, string>(), htmx: true);
        await Assert.That(fromHtmx.StatusCode).IsEqualTo(HttpStatusCode.NoContent);
        await Assert.That(string.Join(" ", fromHtmx.Headers.GetValues("HX-Trigger"))).Contains("webhook-events-changed");
        var unknown = await admin.PostFormAsync("/admin/webhooks/999999999/replay", new Dictionary<string, string>());
        await Assert.That(unknown.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
        await Assert.That(unknown.Content.Headers.ContentType!.MediaType).IsEqualTo("text/html");
        await Assert.That((await realtor.PostFormAsync($"/admin/webhooks/{row.Id}/replay", new Dictionary<string, string>())).StatusCode)
            .IsEqualTo(HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task An_event_of_a_type_we_do_not_handle_is_stored_not_acted_on()
    {
        var marker = $"https://api.calendly.test/routing_form_submissions/{Guid.NewGuid()}";
        var body = Encoding.UTF8.GetBytes($$$$"""{"event":"routing_form_submission.created","created_at":"2026-02-01T10:00:00.000000Z","payload":{"uri":"{{{{marker}}}}"}}""");
        await Assert.That((await DeliverAsync(body, Sign(body, DateTimeOffset.UtcNow.ToUnixTimeSeconds()))).StatusCode).IsEqualTo(HttpStatusCode.OK);
        await ProcessAllAsync(marker);
        await using var db = await app.Database.OpenAsync();
        var note = await db.ExecuteScalarAsync<string>("select error from calendly_webhook_events where payload::text like '%' || @marker || '%'", new { marker });
        await Assert.That(note).Contains("stored but not acted on");
    }

    [Test]
    public async Task Processed_events_older_than_the_retention_are_purged()
    {
        var marker = $"https://api.calendly.test/old/{Guid.NewGuid()}";
        var body = Encoding.UTF8.GetBytes($$$$"""{"event":"routing_form_submission.created","created_at":"2026-02-01T10:00:00.000000Z","payload":{"uri":"{{{{marker}}}}"}}""");
        await DeliverAsync(body, Sign(body, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        await ProcessAllAsync(marker);
        await using var db = await app.Database.OpenAsync();
        await db.ExecuteAsync("update calendly_webhook_events set processed_at = now() - interval '100 days' where payload::text like '%' || @marker || '%'", new { marker });

        await WebhookProcessingJob.PurgeAsync(app.Host.Services.GetRequiredService<NpgsqlDataSource>(), TimeSpan.FromDays(90), CancellationToken.None);

        await Assert.That(await StoredCountAsync(marker)).IsEqualTo(0);
    }
}
