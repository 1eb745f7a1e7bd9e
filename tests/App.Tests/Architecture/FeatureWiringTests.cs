using System.Text.RegularExpressions;

namespace App.Tests.Architecture;

/// <summary>
/// What deleting a feature folder costs outside it: Program.cs names a feature on one line at most (its <c>AddX()</c>,
/// or the one type it registers), and no test or benchmark outside the feature's own folders (<c>Features/X/</c>) names
/// its namespace. The rest of a slice is found by scanning (Carter modules, validators, the parts and links it declares).
/// </summary>
public sealed partial class FeatureWiringTests
{
    [Test]
    [MethodDataSource(typeof(SliceBoundaryTests), nameof(SliceBoundaryTests.Features))]
    public async Task Program_names_a_feature_on_one_line_at_most(string feature)
    {
        var mentions = new Regex($@"\bFeatures\.{feature}\b|\bAdd{feature}\(");
        var lines = File.ReadAllLines(Path.Combine(AppSource.Directory, "Program.cs")).Where(line => mentions.IsMatch(line)).ToList();

        await Assert.That(lines.Count).IsLessThanOrEqualTo(1);
    }

    [Test]
    public async Task Tests_and_benchmarks_name_a_feature_s_namespace_only_in_its_own_folders()
    {
        var features = SliceBoundaryTests.Features().ToHashSet();
        var repository = Path.GetFullPath(Path.Combine(AppSource.Directory, "..", ".."));
        var offenders =
            from folder in new[] { "tests", "benchmarks" }
            from file in Directory.EnumerateFiles(Path.Combine(repository, folder), "*.cs", SearchOption.AllDirectories)
            let path = Path.GetRelativePath(repository, file).Replace('\\', '/')
            where !path.Contains("/bin/") && !path.Contains("/obj/")
            from Match use in FeatureNamespace().Matches(File.ReadAllText(file))
            let feature = use.Groups["feature"].Value
            where features.Contains(feature) && !path.Contains($"/Features/{feature}/")
            select $"{path} names {use.Value}";

        await Assert.That(offenders.Distinct().ToList()).IsEmpty();
    }

    [GeneratedRegex(@"\bApp\.Features\.(?<feature>\w+)")]
    private static partial Regex FeatureNamespace();
}
