using System.Text.RegularExpressions;
using ArchUnitNET.Domain;
using ArchUnitNET.Fluent;
using ArchUnitNET.Loader;
using static ArchUnitNET.Fluent.ArchRuleDefinition;

namespace App.Tests.Architecture;

/// <summary>
/// One room per slice: a feature (<c>App.Features.X</c> and below) uses no other feature's types, Infrastructure uses
/// none at all, and the app never references the simulator. Slices talk through the browser and the database instead,
/// which is what keeps a feature folder deletable. <c>Program</c> wires the features up and may use them all.
/// </summary>
/// <remarks>
/// Razor compiles a template's code into <c>AspNetCoreGeneratedDocument.&lt;Folder_Path&gt;_&lt;Name&gt;</c> (RazorSlices
/// only adds a thin proxy in the folder's namespace), so a type of that name counts as part of its folder's room.
/// </remarks>
public sealed partial class SliceBoundaryTests
{
    private static readonly ArchUnitNET.Domain.Architecture AppArchitecture =
        new ArchLoader().LoadAssemblies(typeof(Program).Assembly).Build();

    public static IEnumerable<string> Features() =>
        typeof(Program).Assembly.GetTypes()
            .Select(type => FeatureNamespace().Match(type.Namespace ?? ""))
            .Where(match => match.Success)
            .Select(match => match.Groups["feature"].Value)
            .Distinct()
            .Order();

    [Test]
    [MethodDataSource(nameof(Features))]
    public async Task A_feature_uses_no_type_of_another_feature(string feature)
    {
        var rule = Types().That().Are(Room($@"Features\.{feature}", $"Features_{feature}_", $"feature {feature}"))
            .Should().NotDependOnAny(Room($@"Features\.(?!{feature}(\.|$))\w+", $"Features_(?!{feature}_)", "another feature"));

        await Assert.That(Violations(rule)).IsEmpty();
    }

    [Test]
    public async Task Infrastructure_uses_no_feature()
    {
        var rule = Types().That().Are(Room("Infrastructure", "Infrastructure_", "Infrastructure"))
            .Should().NotDependOnAny(Room(@"Features\.\w+", "Features_", "any feature"));

        await Assert.That(Violations(rule)).IsEmpty();
    }

    [Test]
    public async Task The_app_does_not_reference_the_simulator()
    {
        var references = typeof(Program).Assembly.GetReferencedAssemblies().Select(name => name.Name).ToList();
        await Assert.That(references).DoesNotContain("Calendly.Simulator");
    }

    /// <summary>The types of one room: its namespace and below, and the code Razor compiled from its templates.</summary>
    private static IObjectProvider<IType> Room(string namespacePattern, string templatePrefixPattern, string description) =>
        Types().That().ResideInNamespaceMatching($@"^App\.{namespacePattern}(\..+)?$")
            .Or().HaveFullNameMatching($@"^AspNetCoreGeneratedDocument\.{templatePrefixPattern}")
            .As(description);

    /// <summary>Each offending type with what it uses, e.g. "App.Features.A.AModule does depend on "App.Features.B.BModule"".</summary>
    private static List<string> Violations(IArchRule rule) =>
        [.. rule.Evaluate(AppArchitecture).Where(result => !result.Passed).Select(result => result.Description)];

    [GeneratedRegex(@"^App\.Features\.(?<feature>\w+)")]
    private static partial Regex FeatureNamespace();
}
