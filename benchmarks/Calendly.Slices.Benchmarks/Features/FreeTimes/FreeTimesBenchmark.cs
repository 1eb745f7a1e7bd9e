using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using App.Infrastructure.Calendly;
using App.Tests.Support;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Benchmarks;

/// <summary>
/// Free times under load, over real HTTP with wrk: cached requests per second as a ratio of /healthz in the same run
/// (goal ≥ 0.85, the median of the runs' median pairs), asked as browsers ask (gzip accepted) and once without
/// Accept-Encoding, with p99 latencies; upstream calls for 1,000 concurrent cold
/// requests of one key (goal 1); and the cached load during a Calendly outage as a ratio of the same load without it,
/// pair by pair (goal ≥ 0.95 and p99 within 1.5×, no errors).
/// </summary>
// In `all`: three runs of five 2-second pairs (the goal is the median of three runs).
[Benchmark("free-times", "[seconds] [days] [runs]", InAll = ["2", "7", "3"], Order = 1)]
public static partial class FreeTimesBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 4;
        var days = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7;
        var runs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1;
        var appPort = BenchmarkApp.FreeLoopbackPort();
        var appUrl = $"http://127.0.0.1:{appPort}";

        await using var simulator = await SimulatorServer.StartAsync(appBaseUrl: appUrl);
        await using var database = await TestDatabase.CreateAsync();
        await using var app = BenchmarkApp.Start(simulator, database, appPort);

        var eventTypeUri = (await app.ConnectCoachAsync(database, simulator)).Account.EventTypes[0];
        using var http = new HttpClient { BaseAddress = new Uri(appUrl) };
        var token = await RealtorTokenAsync(http);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var tomorrow = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(1), TimeSpan.Zero);
        var warmUrl = FreeTimesUrl(eventTypeUri, tomorrow, tomorrow.AddDays(days));
        var warm = await http.GetAsync(warmUrl);
        warm.EnsureSuccessStatusCode();
        var identityLength = (await warm.Content.ReadAsByteArrayAsync()).Length;
        using var gzipRequest = new HttpRequestMessage(HttpMethod.Get, warmUrl) { Headers = { { "Accept-Encoding", Browsers } } };
        using var gzipped = await http.SendAsync(gzipRequest);
        Console.WriteLine($"A cached answer for {days} day(s) is {identityLength} bytes, {(await gzipped.Content.ReadAsByteArrayAsync()).Length} gzipped ({string.Join(",", gzipped.Content.Headers.ContentEncoding)}).");

        // Warm both paths first, long enough for tiered compilation to settle (a profile of a 3-second warm-up still
        // showed the JIT busy in the first measured pair), so that neither measured run pays for compiling.
        for (var i = 0; i < 2; i++)
        {
            Wrk(appUrl + "/healthz", token, 3, Browsers);
            Wrk(appUrl + warmUrl, token, 3, Browsers);
            Wrk(appUrl + warmUrl, token, 3, Identity);
        }
        // As browsers ask (the answer gzipped), and as a client that accepts no encoding (the 16 KB as they are), run by
        // run in turn. Each run's median pair is its figure; the median run is reported.
        var gzipRuns = new List<(WrkRun Health, WrkRun Cached)>();
        var identityRuns = new List<(WrkRun Health, WrkRun Cached)>();
        for (var run = 1; run <= runs; run++)
        {
            gzipRuns.Add(MedianPair(appUrl, warmUrl, token, seconds, run, Browsers));
            identityRuns.Add(MedianPair(appUrl, warmUrl, token, seconds, run, Identity));
        }
        var (health, cached) = MedianRun(gzipRuns);
        var (identityHealth, identityCached) = MedianRun(identityRuns);

        // 1,000 requests of one cold key at once: FusionCache lets one of them ask Calendly. A client of their own, whose
        // connections close with it, so that they do not linger into the outage runs.
        var coldUrl = FreeTimesUrl(eventTypeUri, tomorrow.AddDays(8), tomorrow.AddDays(9));
        var upstreamBefore = await simulator.CountAsync("GET /event_type_available_times");
        int coldFailures;
        using (var coldHttp = new HttpClient { BaseAddress = new Uri(appUrl) })
        {
            coldHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var cold = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => coldHttp.GetAsync(coldUrl)));
            coldFailures = cold.Count(r => !r.IsSuccessStatusCode);
            foreach (var response in cold) response.Dispose();
        }
        var upstreamCalls = await simulator.CountAsync("GET /event_type_available_times") - upstreamBefore;

        // The same cached load with Calendly up and down, pair by pair, the order alternating; the outage path warmed first.
        await simulator.SetFaultsAsync(new { outage = true });
        Wrk(appUrl + warmUrl, token, 3, Browsers);
        await simulator.ClearFaultsAsync();
        var outagePairs = Pairs(() => Wrk(appUrl + warmUrl, token, seconds, Browsers), () =>
            {
                simulator.SetFaultsAsync(new { outage = true }).GetAwaiter().GetResult();
                try
                {
                    return Wrk(appUrl + warmUrl, token, seconds, Browsers);
                }
                finally
                {
                    simulator.ClearFaultsAsync().GetAwaiter().GetResult();
                }
            })
            .OrderBy(pair => pair.Second.RequestsPerSecond / pair.First.RequestsPerSecond)
            .ToList();
        Console.WriteLine("down / up per pair: " + string.Join(", ", outagePairs.Select(pair => string.Create(CultureInfo.InvariantCulture,
            $"{pair.Second.RequestsPerSecond / pair.First.RequestsPerSecond:F3} (p99 {pair.Second.P99Ms / pair.First.P99Ms:F2}×)"))));
        var (up, outage) = outagePairs[Rounds / 2];
        var p99Ratio = outagePairs.Select(pair => pair.Second.P99Ms / pair.First.P99Ms).Order().ElementAt(Rounds / 2);
        var outageErrors = outagePairs.Sum(pair => pair.Second.Errors);

        Console.WriteLine();
        Console.WriteLine("| load run | requests/s | p99 | non-2xx | app CPU / request | wrk CPU / request | allocated / request |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var (name, run) in new[]
                 {
                     ("GET /healthz (baseline)", health), ("GET free times, cached, gzip", cached),
                     ("GET /healthz (baseline, no Accept-Encoding)", identityHealth), ("GET free times, cached, no Accept-Encoding", identityCached),
                     ("GET free times, cached, Calendly up (outage pair)", up), ("GET free times, cached, Calendly down", outage),
                 })
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {run.RequestsPerSecond:F0} | {run.P99} | {run.Errors} | {run.AppCpu:F0} µs | {run.WrkCpu:F0} µs | {run.Allocated / 1024:F1} KB |"));
        Console.WriteLine();
        var ratio = cached.RequestsPerSecond / health.RequestsPerSecond;
        var identityRatio = identityCached.RequestsPerSecond / identityHealth.RequestsPerSecond;
        var outageRatio = outage.RequestsPerSecond / up.RequestsPerSecond;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cached / healthz = {ratio:F3} (median of {runs} run(s)), {identityRatio:F3} without Accept-Encoding; down / up = {outageRatio:F3}, p99 {p99Ratio:F2}×; 1,000 concurrent cold requests of one key: {upstreamCalls} upstream call(s), {coldFailures} failed."));

        Summary.Add($"cached free times ({days} days) ÷ `/healthz`, requests/s, as browsers ask (`Accept-Encoding: {Browsers}`: gzip), median of {runs} run(s) of {Rounds} pairs",
            Summary.Number(cached.RequestsPerSecond, "F0") + " /s", Summary.Number(health.RequestsPerSecond, "F0") + " /s",
            Summary.Number(ratio), "≥ 0.85", ratio >= 0.85);
        Summary.Add("the same (gzip), app CPU per request (inverse ratio)", Summary.Number(cached.AppCpu, "F1") + " µs",
            Summary.Number(health.AppCpu, "F1") + " µs", Summary.Number(health.AppCpu / cached.AppCpu), "–", null);
        Summary.Add($"the same without `Accept-Encoding` (the {identityLength / 1024.0:F1} KB sent as they are), median of {runs} run(s) of {Rounds} pairs",
            Summary.Number(identityCached.RequestsPerSecond, "F0") + " /s", Summary.Number(identityHealth.RequestsPerSecond, "F0") + " /s",
            Summary.Number(identityRatio), "≥ 0.85", identityRatio >= 0.85);
        Summary.Add($"cached free times with Calendly down ÷ up, requests/s, median of {Rounds} pairs",
            Summary.Number(outage.RequestsPerSecond, "F0") + " /s", Summary.Number(up.RequestsPerSecond, "F0") + " /s",
            Summary.Number(outageRatio), "≥ 0.95", outageRatio >= 0.95 && outageErrors == 0);
        Summary.Add("the same, p99 (median pair)", outage.P99, up.P99, Summary.Number(p99Ratio, "F2") + "×", "≤ 1.5×", p99Ratio <= 1.5);
        Summary.Add("upstream calls for 1,000 concurrent cold requests of one key", upstreamCalls.ToString(CultureInfo.InvariantCulture),
            "–", "–", "1, none failed", upstreamCalls == 1 && coldFailures == 0);
    }

    // What Chromium sends; and nothing, as a client that accepts no encoding (HttpClient's default, curl's).
    private const string Browsers = "gzip, deflate, br, zstd";
    private const string? Identity = null;

    // Short runs of each in turn, compared pair by pair: the load of this shared machine drifts over seconds, and a pair
    // sees the same drift. The run's median pair is its figure.
    private static (WrkRun Health, WrkRun Cached) MedianPair(string appUrl, string cachedUrl, string token, int seconds, int run,
        string? acceptEncoding)
    {
        var pairs = Pairs(() => Wrk(appUrl + "/healthz", token, seconds, acceptEncoding), () => Wrk(appUrl + cachedUrl, token, seconds, acceptEncoding))
            .OrderBy(pair => pair.Second.RequestsPerSecond / pair.First.RequestsPerSecond)
            .ToList();
        Console.WriteLine($"run {run} ({acceptEncoding ?? "no Accept-Encoding"}), cached / healthz per pair: " + string.Join(", ",
            pairs.Select(pair => (pair.Second.RequestsPerSecond / pair.First.RequestsPerSecond).ToString("F3", CultureInfo.InvariantCulture))));
        return pairs[Rounds / 2];
    }

    private static (WrkRun Health, WrkRun Cached) MedianRun(List<(WrkRun Health, WrkRun Cached)> runs) =>
        runs.OrderBy(pair => pair.Cached.RequestsPerSecond / pair.Health.RequestsPerSecond).ElementAt(runs.Count / 2);

    // Rounds pairs of two loads, the order alternating so that neither always runs second.
    private static List<(WrkRun First, WrkRun Second)> Pairs(Func<WrkRun> first, Func<WrkRun> second) =>
        Enumerable.Range(0, Rounds).Select(i =>
        {
            if (i % 2 == 0)
            {
                var a = first();
                return (a, second());
            }
            var b = second();
            return (first(), b);
        }).ToList();

    private const int Rounds = 5;

    // CPU per request, in microseconds: the app's process (which also hosts the idle simulator) and wrk's; bytes the
    // process allocated per request (managed heap; Kestrel's pooled buffers are not allocations).
    private sealed record WrkRun(double RequestsPerSecond, string P99, long Errors, double AppCpu, double WrkCpu, double Allocated)
    {
        public double P99Ms => Milliseconds(P99);
    }

    // wrk's latencies: 812.00us, 3.80ms, 1.02s, 1.50m.
    private static double Milliseconds(string latency)
    {
        var unit = latency.TrimStart("0123456789.".ToCharArray());
        var number = double.Parse(latency[..^unit.Length], CultureInfo.InvariantCulture);
        return number * unit switch { "us" => 0.001, "ms" => 1, "s" => 1000, "m" => 60_000, _ => double.NaN };
    }

    private static WrkRun Wrk(string url, string token, int seconds, string? acceptEncoding)
    {
        // bash's `times` reports wrk's CPU time (the children's line) once it has exited.
        string[] encoding = acceptEncoding is null ? [] : ["-H", $"Accept-Encoding: {acceptEncoding}"];
        var start = new ProcessStartInfo("bash", ["-c", "wrk \"$@\" && times", "wrk",
            "-t2", "-c32", $"-d{seconds}s", "--latency", "-H", $"Authorization: Bearer {token}", ..encoding, url])
        {
            RedirectStandardOutput = true,
        };
        var appCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var appCpu = Process.GetCurrentProcess().TotalProcessorTime - appCpuBefore;
        var allocated = GC.GetTotalAllocatedBytes() - allocatedBefore;
        var rps = double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var p99 = P99().Match(output).Groups[1].Value;
        var errors = NonSuccess().Match(output) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        var requests = long.Parse(Requests().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var wrkCpu = Times().Matches(output).TakeLast(2).Sum(time =>
            int.Parse(time.Groups[1].Value, CultureInfo.InvariantCulture) * 60 + double.Parse(time.Groups[2].Value, CultureInfo.InvariantCulture));
        return new WrkRun(rps, p99, errors, appCpu.TotalMicroseconds / requests, wrkCpu * 1e6 / requests, (double)allocated / requests);
    }

    private static async Task<string> RealtorTokenAsync(HttpClient http)
    {
        var response = await http.PostAsJsonAsync("/api/dev/token", new { userId = "bench-realtor", email = "bench-realtor@example.test", role = "realtor" });
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("data").GetProperty("token").GetString()!;
    }

    private static string FreeTimesUrl(string eventTypeUri, DateTimeOffset start, DateTimeOffset end) =>
        $"/api/calendly/availability/free?eventUri={Uri.EscapeDataString(eventTypeUri)}&startTime={Iso(start)}&endTime={Iso(end)}";

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex Requests();

    // The two times of a line of `times` output, e.g. "0m1.234s 0m0.567s".
    [GeneratedRegex(@"(\d+)m([\d.]+)s")]
    private static partial Regex Times();

    [GeneratedRegex(@"99%\s+(\S+)")]
    private static partial Regex P99();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex NonSuccess();
}
