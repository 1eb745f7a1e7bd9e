namespace App.Tests.Support;

/// <summary>
/// A test that walks other slices' pages or routes besides its own (a journey, a page that hosts another slice's
/// actions) names them, and is skipped, saying why, in an app without one of them: deleting a slice folder with its
/// tests then leaves every other test passing or skipped, with nothing to edit (docs/adding-a-slice.md).
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true)]
public sealed class NeedsSlicesAttribute(params string[] slices) : SkipAttribute("")
{
    private static readonly HashSet<string> Present =
    [
        .. typeof(Program).Assembly.GetTypes()
            .Select(t => t.Namespace)
            .Where(n => n is not null && n.StartsWith("App.Features.", StringComparison.Ordinal))
            .Select(n => n!.Split('.')[2]),
    ];

    public IReadOnlyList<string> Slices { get; } = slices;

    public IReadOnlyList<string> Missing => [.. Slices.Where(s => !Present.Contains(s))];

    public override Task<bool> ShouldSkip(TestRegisteredContext context) => Task.FromResult(Missing.Count > 0);

    protected override string GetSkipReason(TestRegisteredContext context) =>
        $"needs the {string.Join(", ", Missing)} slice(s), which this app does not have";
}
