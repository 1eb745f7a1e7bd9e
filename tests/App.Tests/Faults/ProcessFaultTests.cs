using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using App.Tests.Support;
using Dapper;
using Npgsql;

namespace App.Tests.Faults;

/// <summary>
/// The fault suite: two app instances and the simulator as processes on a PostgreSQL cluster of their own, while
/// PostgreSQL is stopped and started again, frozen with SIGSTOP, and an instance is killed with SIGKILL. Throughout:
/// no 500, no answer past its deadline, and nothing acknowledged lost (every webhook answered 200 is stored, once).
/// One test, run alone: it stops and freezes a server, and its deadlines are about real time.
/// </summary>
[NotInParallel]
public sealed class ProcessFaultTests
{
    // WEBHOOK_STORE_TIMEOUT_SECONDS (10) and a route's 5 s, with room for a loaded 2-core machine.
    private static readonly TimeSpan WebhookDeadline = TimeSpan.FromSeconds(12);
    private static readonly TimeSpan RouteDeadline = TimeSpan.FromSeconds(5);

    private static readonly Dictionary<string, string> Quiet = new()
    {
        // Receipt is what is under test; processing would only look up Calendly for made-up invitees.
        ["WEBHOOK_PROCESSING_ENABLED"] = "false",
        ["WEBHOOK_HEALTH_ENABLED"] = "false",
        ["AVAILABILITY_SYNC_ENABLED"] = "false",
    };

    [Test]
    [NeedsSlices("Coaches", "Health", "Webhooks")]
    public async Task Two_instances_survive_a_database_restart_a_frozen_database_and_a_killed_instance()
    {
        await using var cluster = await FaultCluster.StartAsync();
        var (first, firstProcess) = await cluster.StartAppAsync(Quiet);
        var (second, _) = await cluster.StartAppAsync(Quiet);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var deliveries = new Deliveries(http);

        // 1. PostgreSQL stopped and started again under a stream of deliveries to both instances.
        var load = deliveries.RunAsync([first, second], TimeSpan.FromSeconds(8));
        await Task.Delay(2000);
        await cluster.StopDatabaseAsync();
        await Task.Delay(1500);
        await cluster.StartDatabaseAgainAsync();
        await load;

        // 2. PostgreSQL frozen: routes and deliveries are refused in time; all is well once it answers again.
        var realtor = await SignInAsync(http, second);
        await cluster.FreezeDatabaseAsync();
        var frozen = new List<(string What, HttpStatusCode Status, TimeSpan Took)>();
        try
        {
            frozen.Add(await TimedAsync("/readyz", () => http.GetAsync($"{first}/readyz")));
            frozen.Add(await TimedAsync("/api/coaches", () => http.SendAsync(Bearer(HttpMethod.Get, $"{second}/api/coaches", realtor))));
            await deliveries.RunAsync([first], TimeSpan.FromSeconds(2));
        }
        finally
        {
            await cluster.ThawDatabaseAsync();
        }
        await cluster.WaitUntilAnswersAsync($"{first}/readyz", TimeSpan.FromSeconds(10));
        await cluster.WaitUntilAnswersAsync($"{second}/readyz", TimeSpan.FromSeconds(10));

        // 3. One instance killed mid-stream: the other goes on; what the killed one acknowledged is stored.
        load = deliveries.RunAsync([first, second], TimeSpan.FromSeconds(4));
        await Task.Delay(1500);
        firstProcess.Kill();
        await load;

        // Calendly delivers again what was not acknowledged (here to the instance left) until it is.
        await deliveries.RedeliverRefusedAsync(second);

        foreach (var (what, status, took) in frozen)
        {
            await Assert.That(status).IsEqualTo(HttpStatusCode.ServiceUnavailable).Because(what);
            await Assert.That(took).IsLessThan(RouteDeadline).Because(what);
        }
        await Assert.That(deliveries.Statuses.Keys).DoesNotContain(HttpStatusCode.InternalServerError);
        await Assert.That(deliveries.Slowest).IsLessThan(WebhookDeadline);
        await Assert.That(deliveries.Refused).IsGreaterThan(0); // the faults did bite
        await using var db = new NpgsqlConnection(cluster.DatabaseUrl);
        var stored = (await db.QueryAsync<string>("select payload->'payload'->>'uri' from calendly_webhook_events")).ToList();
        await Assert.That(stored.Count).IsEqualTo(stored.Distinct().Count());
        await Assert.That(deliveries.Acknowledged.Except(stored)).IsEmpty();
        await Assert.That(deliveries.Sent.Except(stored)).IsEmpty();
    }

    private static async Task<(string, HttpStatusCode, TimeSpan)> TimedAsync(string what, Func<Task<HttpResponseMessage>> call)
    {
        var clock = Stopwatch.StartNew();
        var response = await call();
        return (what, response.StatusCode, clock.Elapsed);
    }

    private static async Task<string> SignInAsync(HttpClient http, string app)
    {
        var response = await http.PostAsync($"{app}/api/dev/token", JsonContent.Create(new
        {
            userId = $"realtor-{Guid.NewGuid():N}", email = "realtor@example.test", role = "realtor", timeZone = "UTC",
        }));
        response.EnsureSuccessStatusCode();
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("data").GetProperty("token").GetString()!;
    }

    private static HttpRequestMessage Bearer(HttpMethod method, string url, string token)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new("Bearer", token);
        return request;
    }

    /// <summary>Calendly's side: signed deliveries, each for its own invitee, and what each was answered.</summary>
    private sealed class Deliveries(HttpClient http)
    {
        private readonly ConcurrentDictionary<string, HttpStatusCode?> _outcomes = new();
        private readonly ConcurrentBag<TimeSpan> _took = [];

        public IEnumerable<string> Sent => _outcomes.Keys;
        public IEnumerable<string> Acknowledged => _outcomes.Where(o => o.Value == HttpStatusCode.OK).Select(o => o.Key);
        public int Refused { get; private set; }
        public ConcurrentDictionary<HttpStatusCode, int> Statuses { get; } = new();
        public TimeSpan Slowest => _took.DefaultIfEmpty().Max();

        /// <summary>Eight deliveries at a time to the given instances, round robin, for a while.</summary>
        public Task RunAsync(string[] apps, TimeSpan duration)
        {
            var until = DateTime.UtcNow + duration;
            return Task.WhenAll(Enumerable.Range(0, 8).Select(async worker =>
            {
                for (var n = worker; DateTime.UtcNow < until; n++)
                {
                    var invitee = $"https://api.calendly.test/scheduled_events/{Guid.NewGuid()}/invitees/{Guid.NewGuid()}";
                    await DeliverAsync(apps[n % apps.Length], invitee);
                }
            }));
        }

        public async Task RedeliverRefusedAsync(string app)
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (_outcomes.Any(o => o.Value != HttpStatusCode.OK) && DateTime.UtcNow < deadline)
                foreach (var invitee in _outcomes.Where(o => o.Value != HttpStatusCode.OK).Select(o => o.Key).ToList())
                    await DeliverAsync(app, invitee);
        }

        private async Task DeliverAsync(string app, string invitee)
        {
            var body = Encoding.UTF8.GetBytes($$$"""{"event":"routing_form_submission.created","created_at":"2026-02-01T10:00:00.000000Z","payload":{"uri":"{{{invitee}}}"}}""");
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{app}/api/calendly/webhooks") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new("application/json");
            request.Headers.Add(CalendlyDeliveries.Header, CalendlyDeliveries.Sign(body, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
            _outcomes.TryAdd(invitee, null);
            var clock = Stopwatch.StartNew();
            HttpStatusCode? status;
            try
            {
                status = (await http.SendAsync(request)).StatusCode;
            }
            catch (HttpRequestException)
            {
                status = null; // the instance is gone (killed): not acknowledged, Calendly delivers again
            }
            _took.Add(clock.Elapsed);
            if (status is { } s) Statuses.AddOrUpdate(s, 1, (_, n) => n + 1);
            if (status != HttpStatusCode.OK) Refused++;
            if (_outcomes.GetValueOrDefault(invitee) != HttpStatusCode.OK) _outcomes[invitee] = status;
        }
    }
}
