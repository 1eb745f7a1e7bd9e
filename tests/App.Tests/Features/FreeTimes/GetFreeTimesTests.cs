using System.Net;
using App.Tests.Support;
using static App.Tests.Features.FreeTimes.FreeTimesRequests;

namespace App.Tests.Features.FreeTimes;

[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed class GetFreeTimesTests(AppFixture app)
{
    [Test]
    public async Task Free_times_are_Calendly_s_available_times_for_the_same_window()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var eventUri = coach.Account.EventTypes[0];
        var (start, end) = (Tomorrow, Tomorrow.AddDays(5));
        var realtor = await SignedInAsync(app.Host, "realtor");

        var response = await realtor.GetAsync(FreeTimesUrl(eventUri, start, end));

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        var data = (await Browser.JsonAsync(response)).GetProperty("data");
        await Assert.That(data.GetProperty("stale").GetBoolean()).IsFalse();
        await Assert.That(data.GetProperty("fetchedAt").GetDateTimeOffset()).IsGreaterThan(DateTimeOffset.UtcNow.AddMinutes(-1));
        var first = data.GetProperty("slots")[0];
        await Assert.That(first.GetProperty("status").GetString()).IsEqualTo("available");
        await Assert.That(first.GetProperty("inviteesRemaining").GetInt32()).IsEqualTo(1);
        var calendly = await CalendlySlotsAsync(app.Simulator, coach.Tokens.AccessToken, eventUri, start, end);
        await Assert.That(calendly.Count).IsGreaterThan(0);
        await Assert.That(await SlotsAsync(response)).IsEquivalentTo(calendly);
    }

    [Test]
    public async Task A_caller_that_accepts_gzip_gets_the_same_answer_gzipped()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var url = FreeTimesUrl(coach.Account.EventTypes[0], Tomorrow, Tomorrow.AddDays(7));
        var realtor = await SignedInAsync(app.Host, "realtor");
        async Task<HttpResponseMessage> Get(string? acceptEncoding)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (acceptEncoding is not null) request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
            return await realtor.SendAsync(request);
        }

        var plain = await Get(null);
        var gzipped = await Get("gzip, deflate, br, zstd");
        var refused = await Get("br, gzip;q=0");

        var json = await plain.Content.ReadAsStringAsync();
        await Assert.That(plain.Content.Headers.ContentEncoding).IsEmpty();
        await Assert.That(gzipped.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(gzipped.Content.Headers.ContentEncoding).IsEquivalentTo(["gzip"]);
        await Assert.That(gzipped.Headers.Vary).Contains("Accept-Encoding");
        await Assert.That(plain.Headers.Vary).Contains("Accept-Encoding");
        var compressed = await gzipped.Content.ReadAsByteArrayAsync();
        await Assert.That(compressed.Length).IsLessThan(json.Length / 4);
        await Assert.That(gzipped.Content.Headers.ContentLength).IsEqualTo(compressed.Length);
        await Assert.That(Gzip.Decompress(compressed)).IsEqualTo(json);
        await Assert.That(refused.Content.Headers.ContentEncoding).IsEmpty();
        await Assert.That(await refused.Content.ReadAsStringAsync()).IsEqualTo(json);
    }

    [Test]
    [Arguments("2026-03-09T14:00:00Z")]
    [Arguments("2026-03-09T16:00:00+02:00")]
    [Arguments("2026-03-09T14:00:00.000Z")]
    [Arguments("2026-03-09T14:00:00")]
    [Arguments("2026-03-09T09:00-05:00")]
    public async Task Any_ISO_8601_form_of_the_same_instants_gets_the_same_answer(string sample)
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var eventUri = coach.Account.EventTypes[0];
        var (start, end) = (Tomorrow.AddHours(14), Tomorrow.AddDays(3).AddHours(14));
        var realtor = await SignedInAsync(app.Host, "realtor");
        // The sample's form, with tomorrow's date and the same 14:00 UTC.
        string Like(DateTimeOffset time) => sample.Replace("2026-03-09", time.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));

        var canonical = await realtor.GetAsync(FreeTimesUrl(eventUri, start, end));
        var other = await realtor.GetAsync(
            $"/api/calendly/availability/free?eventUri={Uri.EscapeDataString(eventUri)}&startTime={Uri.EscapeDataString(Like(start))}&endTime={Uri.EscapeDataString(Like(end))}");

        await Assert.That(other.StatusCode).IsEqualTo(HttpStatusCode.OK);
        var slots = await SlotsAsync(other);
        await Assert.That(slots.Count).IsGreaterThan(0);
        await Assert.That(slots).IsEquivalentTo(await SlotsAsync(canonical));
    }

    [Test]
    public async Task A_group_event_type_says_how_many_seats_each_slot_has_left()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var coachBrowser = await ConnectedCoaches.SignedInAsync(app.Host, coach.ExternalId, "coach");

        var response = await coachBrowser.GetAsync(FreeTimesUrl(coach.Account.EventTypes[1], Tomorrow, Tomorrow.AddDays(5)));

        var slots = (await Browser.JsonAsync(response)).GetProperty("data").GetProperty("slots");
        await Assert.That(slots.GetArrayLength()).IsGreaterThan(0);
        await Assert.That(slots.EnumerateArray().All(s => s.GetProperty("inviteesRemaining").GetInt32() == 3)).IsTrue();
    }

    [Test]
    public async Task A_start_in_the_past_counts_from_now()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var eventUri = coach.Account.EventTypes[0];
        var now = DateTimeOffset.UtcNow;
        var realtor = await SignedInAsync(app.Host, "realtor");

        var response = await realtor.GetAsync(FreeTimesUrl(eventUri, now.AddDays(-2), now.AddDays(3)));

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        var slots = await SlotsAsync(response);
        await Assert.That(slots.All(s => s.StartTime > now)).IsTrue();
        // Calendly refuses past starts, so it is asked from a little after now; the answers agree from there on.
        var from = now.AddMinutes(5);
        var calendly = await CalendlySlotsAsync(app.Simulator, coach.Tokens.AccessToken, eventUri, from, now.AddDays(3));
        await Assert.That(slots.Where(s => s.StartTime >= from)).IsEquivalentTo(calendly);
    }

    [Test]
    public async Task A_range_wholly_in_the_past_has_no_free_times()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var realtor = await SignedInAsync(app.Host, "realtor");

        var response = await realtor.GetAsync(FreeTimesUrl(coach.Account.EventTypes[0], Tomorrow.AddDays(-10), Tomorrow.AddDays(-5)));

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(await SlotsAsync(response)).IsEmpty();
    }

    [Test]
    public async Task A_31_day_range_is_answered_in_full()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var realtor = await SignedInAsync(app.Host, "realtor");

        var response = await realtor.GetAsync(FreeTimesUrl(coach.Account.EventTypes[0], Tomorrow, Tomorrow.AddDays(31)));

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        var slots = await SlotsAsync(response);
        await Assert.That(slots.Max(s => s.StartTime)).IsGreaterThan(Tomorrow.AddDays(27));
        await Assert.That(slots.Select(s => s.StartTime)).IsInOrder();
        await Assert.That(slots.Select(s => s.StartTime).Distinct().Count()).IsEqualTo(slots.Count);
    }

    [Test]
    [Arguments("eventUri", null, "is required.")]
    [Arguments("eventUri", "not a uri", "must be a Calendly event type URI")]
    [Arguments("eventUri", "https://api.calendly.com/users/ABC123", "must be a Calendly event type URI")]
    [Arguments("eventUri", "ftp://api.calendly.com/event_types/ABC123", "must be a Calendly event type URI")]
    [Arguments("eventUri", "https:///event_types/ABC123", "must be a Calendly event type URI")]
    [Arguments("eventUri", "https://api.calendly.com/event_types/", "must be a Calendly event type URI")]
    [Arguments("eventUri", "https://api.calendly.com/event_types/ABC123?x=1", "must be a Calendly event type URI")]
    [Arguments("eventUri", "https://api.calendly.com/event_types/ABC123#x", "must be a Calendly event type URI")]
    [Arguments("eventUri", "https://api.calendly.com/event_types/ABC/123", "must be a Calendly event type URI")]
    [Arguments("eventUri", "https://api.calendly.com/event_types/AB%20C", "must be a Calendly event type URI")]
    [Arguments("startTime", null, "is required.")]
    [Arguments("startTime", "next tuesday", "must be an ISO-8601 date and time")]
    [Arguments("endTime", null, "is required.")]
    [Arguments("endTime", "2026-13-45T99:00:00Z", "must be an ISO-8601 date and time")]
    [Arguments("endTime", "2027-02-29T10:00:00Z", "must be an ISO-8601 date and time")]
    [Arguments("endTime", "2027-03-01T24:00:00Z", "must be an ISO-8601 date and time")]
    [Arguments("endTime", "2027-03-01T1x:00:00Z", "must be an ISO-8601 date and time")]
    [Arguments("endTime", "start", "must be after startTime.")]
    [Arguments("endTime", "start+32d", "must be at most 31 days after startTime.")]
    public async Task Invalid_query_parameters_are_refused_naming_the_field(string field, string? value, string message)
    {
        var start = Tomorrow;
        var query = new Dictionary<string, string?>
        {
            ["eventUri"] = "https://api.calendly.com/event_types/ABC123",
            ["startTime"] = Iso(start),
            ["endTime"] = Iso(start.AddDays(1)),
        };
        query[field] = value switch
        {
            "start" => Iso(start),
            "start+32d" => Iso(start.AddDays(32)),
            _ => value,
        };
        var url = "/api/calendly/availability/free?" + string.Join('&',
            query.Where(p => p.Value is not null).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value!)}"));
        var realtor = await SignedInAsync(app.Host, "realtor");

        var response = await realtor.GetAsync(url);

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        var error = (await Browser.JsonAsync(response)).GetProperty("error");
        await Assert.That(error.GetProperty("code").GetString()).IsEqualTo("validation_failed");
        var details = error.GetProperty("details");
        await Assert.That(details.EnumerateObject().Select(p => p.Name)).IsEquivalentTo([field]);
        await Assert.That(details.GetProperty(field)[0].GetString()).StartsWith(message);
    }

    [Test]
    public async Task Free_times_need_a_signed_in_user()
    {
        var response = await app.NewBrowser().GetAsync(FreeTimesUrl("https://api.calendly.com/event_types/ABC123", Tomorrow, Tomorrow.AddDays(1)));

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task The_free_times_route_documents_its_query_and_its_answer()
    {
        var document = await ApiDocument.ReadAsync(app);
        var operation = document.GetProperty("paths").GetProperty("/api/calendly/availability/free").GetProperty("get");

        var parameters = operation.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()!).ToList();
        await Assert.That(parameters).IsEquivalentTo(["eventUri", "startTime", "endTime"]);
        var answer = operation.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json")
            .GetProperty("schema").GetProperty("$ref").GetString()!;
        var envelope = document.GetProperty("components").GetProperty("schemas").GetProperty(answer.Split('/')[^1]);
        await Assert.That(envelope.GetProperty("properties").TryGetProperty("data", out _)).IsTrue();
        await Assert.That(operation.GetProperty("responses").TryGetProperty("400", out _)).IsTrue();
    }

    [Test]
    public async Task The_route_documents_Calendly_s_errors_in_the_envelope() =>
        await ApiDocument.AssertDocumentsUpstreamErrorsAsync(app, "get", "/api/calendly/availability/free");
}
