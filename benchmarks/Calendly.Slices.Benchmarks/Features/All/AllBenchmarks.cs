using System.Globalization;
using System.Runtime.InteropServices;

namespace Benchmarks;

/// <summary>
/// Every scenario of the speed table, one after another in this process, each with its baseline from the same run;
/// prints one table (figure, baseline, ratio, goal) and appends it to BENCHMARKS.md with the date and the machine. A
/// scenario that fails is a row saying so, and the others still run.
/// </summary>
[Benchmark("all", "[no-cold]")]
public static class AllBenchmarks
{
    public static async Task RunAsync(string[] args)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // Each benchmark says whether and how it runs here ([Benchmark(InAll = …)]), so a slice's goes with the slice;
        // "no-cold" drops the cold first run.
        var scenarios = Entry.All().Where(b => b.Benchmark!.InAll is not null).OrderBy(b => b.Benchmark!.Order)
            .Select(b => (b.Benchmark!.Name, Run: (Func<Task>)(() =>
                Entry.Run(b.Type)([.. b.Benchmark.InAll!.Where(a => !(a == "cold" && args.Contains("no-cold")))]))))
            .ToList();
        foreach (var (name, run) in scenarios)
        {
            Console.WriteLine($"\n## {name}\n");
            try
            {
                await run();
            }
            catch (Exception e)
            {
                Console.WriteLine($"{name} failed: {e}");
                Summary.Add($"{name}: the scenario failed ({e.GetType().Name}: {e.Message.Split('\n')[0]})", "–", "–", "–", "runs", false);
            }
        }

        var heading = string.Create(CultureInfo.InvariantCulture,
            $"### `./bench.sh all`, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Machine()}, {clock.Elapsed.TotalMinutes:F1} min");
        var table = heading + "\n\n" + Summary.Markdown();
        Console.WriteLine();
        Console.WriteLine(table);
        var benchmarks = Path.Combine(BenchmarkApp.RepositoryRoot(), "BENCHMARKS.md");
        await File.AppendAllTextAsync(benchmarks, "\n" + table);
        Console.WriteLine($"Appended to {benchmarks}.");
    }

    // The host, its processor and core count, the load average as the run ended: what ratios from another run depend on.
    private static string Machine()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(line => line.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[..3] : null;
        return $"{Environment.MachineName}: {cpu ?? RuntimeInformation.ProcessArchitecture.ToString()}, {Environment.ProcessorCount} cores"
               + (load is null ? "" : $", load average {string.Join(" ", load)} at the end");
    }
}
