extern alias simulator;

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using App.Tests.Support;
using Dapper;
using Limits = simulator::Calendly.Simulator.Traffic.BookingLimit;

namespace Benchmarks;

/// <summary>
/// Native booking's latency against Calendly's own: p50 and p99 of the app's POST /api/calendly/invitees as a realtor and,
/// in the same run and alternated with it, of the simulator's POST /invitees called directly with the coach's token (its
/// booking limits off for the run), with the ratio app / simulator; the simulator's GET /event_types/{uuid}, which the
/// app asks before each booking, alongside; and the upstream calls of one cold 31-day free-times request (goal 1).
/// </summary>
[Benchmark("native-booking", "[bookings of each kind]", InAll = ["100"], Order = 4)]
public static class NativeBookingBenchmark
{
    // Each coach takes this many bookings of each kind: three calls of theirs a pair, well inside the simulator's 500 a
    // minute per user, and 2 × 50 of the ~350 half-hour slots a generated account offers in 31 days.
    private const int PairsPerCoach = 50;
    private const int WarmUpPairs = 10;
    private const int WindowDays = 31;

    public static async Task RunAsync(string[] args)
    {
        var bookings = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
        var pairs = WarmUpPairs + bookings;
        var appPort = BenchmarkApp.FreeLoopbackPort();
        var appUrl = $"http://127.0.0.1:{appPort}";

        await using var simulator = await SimulatorServer.StartAsync(settings => settings with
        {
            BookingLimitFree = new Limits(), BookingLimitTrial = new Limits(), BookingLimitPaid = new Limits(), BookingLimitEnterprise = new Limits(),
        }, appBaseUrl: appUrl);
        await using var database = await TestDatabase.CreateAsync();
        await using var app = BenchmarkApp.Start(simulator, database, appPort);

        using var appHttp = new HttpClient { BaseAddress = new Uri(appUrl) };
        using var simulatorHttp = new HttpClient { BaseAddress = new Uri(simulator.BaseUrl + "/") };
        appHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await RealtorTokenAsync(appHttp));
        var realtor = JsonDocument.Parse(await appHttp.GetStringAsync("/api/me")).RootElement.GetProperty("data");
        var realtorId = realtor.GetProperty("id").GetInt64();
        string bookingRef;
        await using (var db = await database.OpenAsync())
            bookingRef = (await db.ExecuteScalarAsync<string>("select booking_ref from users where id = @realtorId", new { realtorId }))!;

        // Each coach's free times asked through the app for 31 days, as the week grid does: one cold request each, which is
        // also how the app learns whose event type a realtor books. Its slots are shared out between the two kinds.
        var tomorrow = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(1), TimeSpan.Zero);
        var plan = new List<(Booking Simulator, Booking App)>();
        var freeTimesCalls = new List<int>();
        while (plan.Count < pairs)
        {
            var (_, account) = await app.ConnectCoachAsync(database, simulator);
            var coachToken = (await simulator.IssueTokensAsync(account.Uri)).AccessToken;
            var eventType = account.EventTypes[0];
            var before = await simulator.CountAsync("GET /event_type_available_times");
            var free = await appHttp.GetAsync($"/api/calendly/availability/free?eventUri={Uri.EscapeDataString(eventType)}"
                + $"&startTime={Iso(tomorrow)}&endTime={Iso(tomorrow.AddDays(WindowDays))}");
            free.EnsureSuccessStatusCode();
            freeTimesCalls.Add(await simulator.CountAsync("GET /event_type_available_times") - before);
            var starts = JsonDocument.Parse(await free.Content.ReadAsStringAsync()).RootElement.GetProperty("data").GetProperty("slots")
                .EnumerateArray().Select(slot => slot.GetProperty("startTime").GetString()!).ToList();
            // Half-hour event types offered every half hour: neighbouring slots do not overlap.
            plan.AddRange(starts.Take(2 * PairsPerCoach).Chunk(2).Where(two => two.Length == 2).Take(pairs - plan.Count)
                .Select(two => (new Booking(eventType, two[0], coachToken), new Booking(eventType, two[1], coachToken))));
        }

        var simulatorTimes = new List<double>();
        var appTimes = new List<double>();
        var eventTypeTimes = new List<double>();
        var failures = new List<string>();
        var transactionsBefore = 0L;
        for (var i = 0; i < pairs; i++)
        {
            if (i == WarmUpPairs) transactionsBefore = await CommittedTransactionsAsync(database);
            var (direct, native) = plan[i];
            // Alternated, so that neither kind always runs first after the other.
            double simulatorTime, appTime;
            if (i % 2 == 0)
            {
                simulatorTime = await TimeAsync(() => BookDirectlyAsync(simulatorHttp, direct, bookingRef), failures);
                appTime = await TimeAsync(() => BookInAppAsync(appHttp, native), failures);
            }
            else
            {
                appTime = await TimeAsync(() => BookInAppAsync(appHttp, native), failures);
                simulatorTime = await TimeAsync(() => BookDirectlyAsync(simulatorHttp, direct, bookingRef), failures);
            }
            var eventTypeTime = await TimeAsync(() => ReadEventTypeAsync(simulatorHttp, direct), failures);
            if (i < WarmUpPairs) continue;
            simulatorTimes.Add(simulatorTime);
            appTimes.Add(appTime);
            eventTypeTimes.Add(eventTypeTime);
        }
        // PostgreSQL counts a backend's transactions when it reports its statistics, at most once a second.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var transactions = await CommittedTransactionsAsync(database) - transactionsBefore;
        long sessions;
        await using (var db = await database.OpenAsync())
            sessions = await db.ExecuteScalarAsync<long>("select count(*) from sessions where realtor_id = @realtorId", new { realtorId });

        Console.WriteLine();
        Console.WriteLine($"{bookings} bookings of each kind after {WarmUpPairs} pairs of warm-up, one request at a time, alternated; "
            + $"{plan.Select(p => p.Simulator.EventTypeUri).Distinct().Count()} coaches.");
        Console.WriteLine("| request | p50 | p99 | mean |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var (name, times) in new[]
                 {
                     ("simulator POST /invitees, directly (baseline)", simulatorTimes), ("app POST /api/calendly/invitees", appTimes),
                     ("simulator GET /event_types/{uuid}, directly", eventTypeTimes),
                 })
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {Percentile(times, 50):F2} ms | {Percentile(times, 99):F2} ms | {times.Average():F2} ms |"));
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"app / simulator: p50 {Percentile(appTimes, 50) / Percentile(simulatorTimes, 50):F2}, p99 {Percentile(appTimes, 99) / Percentile(simulatorTimes, 99):F2}; "
            + $"failed: {failures.Count}; sessions listed for the realtor: {sessions} of {pairs}."));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"database transactions committed while measured, per app booking: {(double)transactions / bookings:F1} (the benchmark's own count reads included)."));
        Console.WriteLine($"upstream GET /event_type_available_times per cold {WindowDays}-day free-times request: {string.Join(", ", freeTimesCalls)}.");
        foreach (var failure in failures.Take(5)) Console.WriteLine("failure: " + failure);
        Summary.Add($"booking: app `POST /api/calendly/invitees` ÷ the simulator's `POST /invitees`, p50 ({bookings} each)",
            Summary.Number(Percentile(appTimes, 50), "F2") + " ms", Summary.Number(Percentile(simulatorTimes, 50), "F2") + " ms",
            Summary.Number(Percentile(appTimes, 50) / Percentile(simulatorTimes, 50), "F1"), "–", null);
        Summary.Add("booking: the same, p99", Summary.Number(Percentile(appTimes, 99), "F2") + " ms", Summary.Number(Percentile(simulatorTimes, 99), "F2") + " ms",
            Summary.Number(Percentile(appTimes, 99) / Percentile(simulatorTimes, 99), "F1"), "–", null);
        Summary.Add("booking: failed, and sessions listed for the realtor", $"{failures.Count} failed, {sessions} listed", $"{pairs} booked",
            "–", "none failed, all listed", failures.Count == 0 && sessions == pairs);
    }

    private sealed record Booking(string EventTypeUri, string StartTime, string CoachToken);

    private static async Task<HttpResponseMessage> BookInAppAsync(HttpClient app, Booking booking)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/calendly/invitees")
        {
            Content = JsonContent.Create(new { eventUri = booking.EventTypeUri, startTime = booking.StartTime }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return await app.SendAsync(request);
    }

    /// <summary>The booking the app sends for the same realtor: their name, email and zone, the widget's tracking.</summary>
    private static async Task<HttpResponseMessage> BookDirectlyAsync(HttpClient simulator, Booking booking, string bookingRef)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "invitees")
        {
            Content = JsonContent.Create(new
            {
                event_type = booking.EventTypeUri,
                start_time = booking.StartTime,
                invitee = new { email = RealtorEmail, name = RealtorName, timezone = "UTC" },
                tracking = new { utm_source = "calendly-slices", utm_content = bookingRef, utm_term = Guid.NewGuid().ToString("N") },
            }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", booking.CoachToken);
        return await simulator.SendAsync(request);
    }

    private static async Task<HttpResponseMessage> ReadEventTypeAsync(HttpClient simulator, Booking booking)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, booking.EventTypeUri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", booking.CoachToken);
        return await simulator.SendAsync(request);
    }

    /// <summary>Milliseconds from sending to the whole answer read; a failure is noted with what was answered.</summary>
    private static async Task<double> TimeAsync(Func<Task<HttpResponseMessage>> send, List<string> failures)
    {
        var clock = Stopwatch.StartNew();
        using var response = await send();
        var body = await response.Content.ReadAsStringAsync();
        var elapsed = clock.Elapsed.TotalMilliseconds;
        if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.Created))
            failures.Add($"{response.RequestMessage!.RequestUri}: {(int)response.StatusCode} {body}");
        return elapsed;
    }

    /// <summary>Nearest rank: with 200 values, p99 is the second slowest.</summary>
    private static double Percentile(List<double> values, int percent)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Max(0, (int)Math.Ceiling(percent / 100.0 * sorted.Count) - 1)];
    }

    private static async Task<long> CommittedTransactionsAsync(TestDatabase database)
    {
        await using var db = await database.OpenAsync();
        return await db.ExecuteScalarAsync<long>("select xact_commit from pg_stat_database where datname = current_database()");
    }

    private const string RealtorName = "Bench Realtor";
    private const string RealtorEmail = "bench-realtor@example.test";

    private static async Task<string> RealtorTokenAsync(HttpClient http)
    {
        var response = await http.PostAsJsonAsync("/api/dev/token",
            new { userId = "bench-realtor", email = RealtorEmail, name = RealtorName, role = "realtor", timeZone = "UTC" });
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("data").GetProperty("token").GetString()!;
    }

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
