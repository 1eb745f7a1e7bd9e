using System.Globalization;

namespace Benchmarks;

/// <summary>
/// The headline figures of the benchmarks run in this process, one row each: what was measured, its baseline from the
/// same run, their ratio and the goal. <c>./bench.sh all</c> prints them as one table and appends it to BENCHMARKS.md.
/// </summary>
public static class Summary
{
    /// <param name="Met">Null when the row has no goal to meet (a figure reported for context).</param>
    public sealed record Row(string Figure, string Measured, string Baseline, string Ratio, string Goal, bool? Met);

    private static readonly List<Row> Rows = [];

    public static IReadOnlyList<Row> All => Rows;

    public static void Add(string figure, string measured, string baseline, string ratio, string goal, bool? met) =>
        Rows.Add(new Row(figure, measured, baseline, ratio, goal, met));

    public static string Number(double value, string format = "F3") => value.ToString(format, CultureInfo.InvariantCulture);

    public static string Markdown() =>
        "| figure | measured | baseline (same run) | ratio | goal | met |\n|---|---|---|---|---|---|\n" + string.Concat(Rows.Select(row =>
            $"| {row.Figure} | {row.Measured} | {row.Baseline} | {row.Ratio} | {row.Goal} | {row.Met switch { true => "yes", false => "**no**", null => "–" }} |\n"));
}
