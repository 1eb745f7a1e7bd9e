using System.Reflection;

namespace Benchmarks;

/// <summary>
/// A benchmark that <c>./bench.sh &lt;name&gt; [arguments]</c> runs: a static class with <c>RunAsync(string[] args)</c>.
/// Each lives in Features/&lt;Feature&gt;/ and is found by this attribute, so a slice's benchmark goes with the slice.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class BenchmarkAttribute(string name, string arguments) : Attribute
{
    public string Name { get; } = name;
    public string Arguments { get; } = arguments;

    /// <summary>The arguments <c>./bench.sh all</c> runs it with; null leaves it out of <c>all</c>.</summary>
    public string[]? InAll { get; init; }

    /// <summary>Where it comes in <c>all</c>'s table.</summary>
    public int Order { get; init; }
}

public static class Entry
{
    public static async Task<int> Main(string[] args)
    {
        var benchmarks = All().ToList();
        if (benchmarks.FirstOrDefault(b => b.Benchmark!.Name == args.FirstOrDefault()) is not { Type: { } chosen })
        {
            Console.Error.WriteLine("usage: Calendly.Slices.Benchmarks " +
                string.Join(" | ", benchmarks.Select(b => $"{b.Benchmark!.Name} {b.Benchmark.Arguments}")));
            return 2;
        }
        await Run(chosen)(args[1..]);
        return 0;
    }

    /// <summary>Every benchmark of the project, wherever its feature folder is.</summary>
    public static IEnumerable<(Type Type, BenchmarkAttribute? Benchmark)> All() =>
        typeof(Entry).Assembly.GetTypes()
            .Select(type => (Type: type, Benchmark: type.GetCustomAttribute<BenchmarkAttribute>()))
            .Where(b => b.Benchmark is not null);

    public static Func<string[], Task> Run(Type benchmark) => benchmark.GetMethod("RunAsync")!.CreateDelegate<Func<string[], Task>>();
}
