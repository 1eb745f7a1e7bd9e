using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Benchmarks;

/// <summary>
/// A new user's first <c>./run.sh</c>: a fresh clone of the committed code (git clone of this checkout's HEAD) run until
/// <c>/healthz</c> answers, with cold package caches (empty NuGet and npm caches of its own: every package downloaded;
/// goal ≤ 60 s) and with the machine's warm ones (goal ≤ 20 s); then the same clone started again unchanged (goal ≤ 6 s),
/// and in it the app's own start to <c>/readyz</c> (goal &lt; 2 s). PostgreSQL's cluster for the clone is created on its
/// first start, as a new user's is. Without "cold" the cold run is left out (it downloads every package again).
/// </summary>
[Benchmark("first-run", "[cold]", InAll = ["cold"], Order = 5)]
public static class FirstRunBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var repository = BenchmarkApp.RepositoryRoot();
        var work = Directory.CreateTempSubdirectory("calendly-slices-first-run-");
        try
        {
            if (args.Contains("cold"))
            {
                var caches = Path.Combine(work.FullName, "caches");
                var cold = await StartAsync(await CloneAsync(repository, work, "cold"), new Dictionary<string, string>
                {
                    ["NUGET_PACKAGES"] = Path.Combine(caches, "nuget"),
                    ["npm_config_cache"] = Path.Combine(caches, "npm"),
                });
                Report("first `./run.sh` of a fresh clone to a served `/healthz`, cold package caches", cold.ToHealthz, 60);
            }
            var clone = await CloneAsync(repository, work, "warm");
            var warm = await StartAsync(clone);
            Report("first `./run.sh` of a fresh clone to a served `/healthz`, warm package caches", warm.ToHealthz, 20);
            var again = await StartAsync(clone);
            Report("second `./run.sh`, nothing changed, to a served `/healthz`", again.ToHealthz, 6);
            Report("the app's start (Release build, warm) to `/readyz`", again.AppToReady, 2);
        }
        finally
        {
            foreach (var clone in work.GetDirectories().Where(d => d.Name != "caches"))
                await RunAsync("bash", ["-c", "rm -rf \"$1\"", "rm", ClusterFolder(clone.FullName)], repository);
            work.Delete(recursive: true);
        }
    }

    private static void Report(string figure, TimeSpan time, double goalSeconds)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{figure}: {time.TotalSeconds:F1} s (goal ≤ {goalSeconds} s)"));
        Summary.Add(figure, Summary.Number(time.TotalSeconds, "F1") + " s", "–", "–", $"≤ {goalSeconds} s", time.TotalSeconds <= goalSeconds);
    }

    private sealed record Start(TimeSpan ToHealthz, TimeSpan AppToReady);

    /// <summary>Runs ./run.sh in <paramref name="clone"/> until /readyz answers, then stops it as Ctrl-C would.</summary>
    private static async Task<Start> StartAsync(string clone, IReadOnlyDictionary<string, string>? environment = null)
    {
        var port = BenchmarkApp.FreeLoopbackPort();
        var start = new ProcessStartInfo("bash", ["run.sh"])
        {
            WorkingDirectory = clone,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["PORT"] = port.ToString(CultureInfo.InvariantCulture);
        start.Environment["SIM_PORT"] = BenchmarkApp.FreeLoopbackPort().ToString(CultureInfo.InvariantCulture);
        // The benchmark's own database is not the clone's: run.sh starts the clone's PostgreSQL as a new user's would.
        start.Environment.Remove("DATABASE_URL");
        start.Environment.Remove("TEST_DATABASE_ADMIN_URL");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var appStarted = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new StringBuilder();
        process.OutputDataReceived += (_, line) =>
        {
            lock (output) output.AppendLine(line.Data);
            // run.sh prints this line just before it starts the app.
            if (line.Data?.StartsWith("App: ", StringComparison.Ordinal) == true) appStarted.TrySetResult(clock.Elapsed);
        };
        process.ErrorDataReceived += (_, line) => { lock (output) output.AppendLine(line.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(2) };
            var toHealthz = await UntilOkAsync(http, "/healthz", clock, process, output);
            var toReady = await UntilOkAsync(http, "/readyz", clock, process, output);
            return new Start(toHealthz, toReady - await appStarted.Task);
        }
        finally
        {
            // SIGTERM, which run.sh passes on to the app before stopping its PostgreSQL.
            await RunAsync("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)], clone);
            await process.WaitForExitAsync();
        }
    }

    private static async Task<TimeSpan> UntilOkAsync(HttpClient http, string path, Stopwatch clock, Process process, StringBuilder output)
    {
        while (clock.Elapsed < TimeSpan.FromMinutes(5))
        {
            if (process.HasExited) throw new InvalidOperationException($"run.sh exited ({process.ExitCode}) before {path} answered:\n{output}");
            try
            {
                using var response = await http.GetAsync(path);
                if (response.IsSuccessStatusCode) return clock.Elapsed;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"{path} did not answer within five minutes:\n{output}");
    }

    private static async Task<string> CloneAsync(string repository, DirectoryInfo work, string name)
    {
        var clone = Path.Combine(work.FullName, name);
        await RunAsync("git", ["clone", "--quiet", "--no-hardlinks", repository, clone], repository);
        return clone;
    }

    private static async Task RunAsync(string command, string[] arguments, string directory)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { WorkingDirectory = directory })!;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} exited with {process.ExitCode}");
    }

    // scripts/postgres.sh keeps a checkout's clusters in /var/tmp/calendly-slices/<first 12 hex of sha256(path)>-NAME.
    private static string ClusterFolder(string checkout) =>
        $"/var/tmp/calendly-slices/{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(checkout)))[..12]}-run";
}
