using System.Globalization;

namespace App.Features.Operations;

/// <summary>
/// A small line chart of the last hour, one value per minute, drawn by the server as SVG (_Chart.cshtml): it reads
/// without JavaScript, and its caption says in words what the lines show. Colours are the stylesheet's, by class.
/// </summary>
public sealed record Chart(string Id, string Title, string Caption, IReadOnlyList<Chart.Series> Lines, string Unit = "")
{
    public const double Width = 300, Height = 80;
    private const double Top = 6;

    /// <summary>One line; a null value is a minute with nothing to show (a gap, not a zero).</summary>
    public sealed record Series(string Label, string Class, IReadOnlyList<double?> Values);

    /// <summary>The top of the scale: the largest value, rounded up, at least 1.</summary>
    public double Max { get; } = Math.Max(1, Math.Ceiling(Lines.SelectMany(l => l.Values).Max(v => v ?? 0)));

    /// <summary>The line's runs of consecutive minutes, as SVG polyline points.</summary>
    public IEnumerable<string> Segments(Series line)
    {
        var step = Width / Math.Max(1, line.Values.Count - 1);
        var run = new List<(double X, double Y)>();
        for (var i = 0; i <= line.Values.Count; i++)
        {
            if (i < line.Values.Count && line.Values[i] is { } value)
            {
                run.Add((i * step, Height - value / Max * (Height - Top)));
                continue;
            }
            // A lone point draws nothing as a polyline: it becomes a short flat stroke.
            if (run.Count == 1) run.Add((run[0].X + 2 > Width ? run[0].X - 2 : run[0].X + 2, run[0].Y));
            if (run.Count > 0) yield return string.Join(' ', run.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.X:0.#},{p.Y:0.#}")));
            run.Clear();
        }
    }

    public static string Number(double value) => value.ToString(value >= 10 || value == Math.Floor(value) ? "0" : "0.#", CultureInfo.InvariantCulture);
}
