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
/// (goal ≥ 0.7) with p99 latencies; upstream calls for 1,000 concurrent cold requests of one key (goal 1); and the
/// same load during a Calendly outage with a warm cache (goal: no errors).
/// </summary>
[Benchmark("free-times", "[seconds] [days]")]
public static partial class FreeTimesBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 4;
        var days = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7;
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
        Console.WriteLine($"A cached answer for {days} day(s) is {(await warm.Content.ReadAsByteArrayAsync()).Length} bytes.");

        // Warm both paths first, so that neither measured run pays for JIT compilation the other does not.
        Wrk(appUrl + "/healthz", token, 3);
        Wrk(appUrl + warmUrl, token, 3);
        // Short runs of each in turn, compared pair by pair: the load of this shared machine drifts over seconds, and a
        // pair sees the same drift. The median pair is reported.
        var pairs = Enumerable.Range(0, Rounds)
            .Select(_ => (Health: Wrk(appUrl + "/healthz", token, seconds), Cached: Wrk(appUrl + warmUrl, token, seconds)))
            .OrderBy(pair => pair.Cached.RequestsPerSecond / pair.Health.RequestsPerSecond)
            .ToList();
        Console.WriteLine("cached / healthz per pair: " + string.Join(", ",
            pairs.Select(pair => (pair.Cached.RequestsPerSecond / pair.Health.RequestsPerSecond).ToString("F3", CultureInfo.InvariantCulture))));
        var (health, cached) = pairs[Rounds / 2];

        // 1,000 requests of one cold key at once: FusionCache lets one of them ask Calendly.
        var coldUrl = FreeTimesUrl(eventTypeUri, tomorrow.AddDays(8), tomorrow.AddDays(9));
        var upstreamBefore = await simulator.CountAsync("GET /event_type_available_times");
        var cold = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => http.GetAsync(coldUrl)));
        var upstreamCalls = await simulator.CountAsync("GET /event_type_available_times") - upstreamBefore;
        var coldFailures = cold.Count(r => !r.IsSuccessStatusCode);

        await simulator.SetFaultsAsync(new { outage = true });
        var outage = Wrk(appUrl + warmUrl, token, seconds);
        await simulator.ClearFaultsAsync();

        Console.WriteLine();
        Console.WriteLine("| load run | requests/s | p99 | non-2xx | app CPU / request | wrk CPU / request | allocated / request |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var (name, run) in new[] { ("GET /healthz (baseline)", health), ("GET free times, cached", cached), ("GET free times, cached, Calendly down", outage) })
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {run.RequestsPerSecond:F0} | {run.P99} | {run.Errors} | {run.AppCpu:F0} µs | {run.WrkCpu:F0} µs | {run.Allocated / 1024:F1} KB |"));
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cached / healthz = {cached.RequestsPerSecond / health.RequestsPerSecond:F3}; 1,000 concurrent cold requests of one key: {upstreamCalls} upstream call(s), {coldFailures} failed."));
    }

    private const int Rounds = 5;

    // CPU per request, in microseconds: the app's process (which also hosts the idle simulator) and wrk's; bytes the
    // process allocated per request (managed heap; Kestrel's pooled buffers are not allocations).
    private sealed record WrkRun(double RequestsPerSecond, string P99, long Errors, double AppCpu, double WrkCpu, double Allocated);

    private static WrkRun Wrk(string url, string token, int seconds)
    {
        // bash's `times` reports wrk's CPU time (the children's line) once it has exited.
        var start = new ProcessStartInfo("bash", ["-c", "wrk \"$@\" && times", "wrk",
            "-t2", "-c32", $"-d{seconds}s", "--latency", "-H", $"Authorization: Bearer {token}", url])
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
