using System.Reflection;
using System.Text.RegularExpressions;
using App.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace App.Tests.Architecture;

/// <summary>
/// Every form and htmx request in the app's templates goes to a route the app maps, with that method. Slices link to
/// each other through the browser (Scheduled's rows post to Cancel's route), so deleting a slice must not leave a form
/// posting to nowhere. The templates are read as source, so every branch counts, not only those a test renders.
/// </summary>
[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed partial class FormTargetTests(AppFixture app)
{
    /// <summary>Stands for a value the template fills in when it renders (a Razor expression or an interpolation hole).</summary>
    private const char Hole = '\u0001';

    private sealed record Request(string Template, string Method, string Target, string Source);

    [Test]
    public async Task Every_form_and_htmx_request_in_the_templates_goes_to_a_mapped_route()
    {
        var routes = app.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var requests = TemplateRequests().Concat(DeclaredRequests()).ToList();

        var paths = requests.Where(r => r.Target.StartsWith('/')).ToList();
        var nowhere = paths.Where(r => !routes.Any(route => Answers(route, r)))
            .Select(r => $"{r.Template}: {r.Method} {r.Source} has no route").ToList();
        var unreadable = requests.Except(paths).Where(r => !BuiltByItsOwnSlice(r))
            .Select(r => $"{r.Template}: {r.Source} is built where this check cannot read it; write the path in the template, " +
                "or build it in the slice's own model or module").ToList();

        await Assert.That(paths.Count).IsGreaterThan(10);
        await Assert.That(nowhere.Concat(unreadable)).IsEmpty();
    }

    /// <summary>
    /// What slices declare for other slices' pages: each card loads itself from its href, each navigation link leads to
    /// a page, each session-type action opens its route. The templates that render them (<c>@part.Href</c>,
    /// <c>@link.Href</c>, <c>PageContributions.Fill(…)</c>) are covered by these.
    /// </summary>
    private static IEnumerable<Request> DeclaredRequests()
    {
        var app = typeof(Program).Assembly;
        foreach (var part in app.GetCustomAttributes<App.Infrastructure.Web.PagePartAttribute>())
            yield return new("[assembly: PagePart]", "GET", part.Href, $"card \"{part.Id}\" href=\"{part.Href}\"");
        foreach (var link in app.GetCustomAttributes<App.Infrastructure.Web.NavigationLinkAttribute>())
            yield return new("[assembly: NavigationLink]", "GET", link.Href, $"navigation link href=\"{link.Href}\"");
        foreach (var booking in app.GetCustomAttributes<App.Infrastructure.Web.FreeTimeBookingAttribute>())
            yield return new("[assembly: FreeTimeBooking]", "GET", booking.Href, $"free-time booking href=\"{booking.Href}\"");
        foreach (var action in app.GetCustomAttributes<App.Infrastructure.Web.SessionTypeActionAttribute>())
            yield return new("[assembly: SessionTypeAction]", "GET", action.Href, $"session-type action \"{action.Label}\" href=\"{action.Href}\"");
    }

    /// <summary>Each form action and each hx-get/post/put/patch/delete in every template under src/App.</summary>
    private static IEnumerable<Request> TemplateRequests()
    {
        var root = AppSource.Directory;
        foreach (var file in Directory.EnumerateFiles(root, "*.cshtml", SearchOption.AllDirectories))
        {
            var template = Path.GetRelativePath(root, file).Replace('\\', '/');
            var text = RazorComment().Replace(File.ReadAllText(file), "");
            foreach (Match form in FormTag().Matches(text))
            {
                var method = (Attribute(form.Value, "method") ?? "get").ToUpperInvariant();
                if (Attribute(form.Value, "action") is { } action && method != "DIALOG")
                    yield return new(template, method, Target(action, text), $"form action=\"{action}\"");
            }
            foreach (Match htmx in HtmxRequest().Matches(text))
            {
                var value = htmx.Groups["value"].Value;
                yield return new(template, htmx.Groups["method"].Value.ToUpperInvariant(), Target(value, text),
                    $"hx-{htmx.Groups["method"].Value}=\"{value}\"");
            }
        }
    }

    /// <summary>
    /// The path with <see cref="Hole"/> for what is filled in at render time, or, for a URL the template only names
    /// (<c>@Model.Path</c>, or a local set from one), the C# expression that builds it. A local set from a string
    /// (<c>var book = $"/coaches/{coach.Id}/book"</c>) is read through to its path.
    /// </summary>
    private static string Target(string value, string template)
    {
        if (LocalName().Match(value) is { Success: true } local && LocalValue(local.Groups["name"].Value, template) is { } assigned)
            return assigned.StartsWith("$\"") || assigned.StartsWith('"')
                ? Interpolation().Replace(assigned.TrimStart('$').Trim('"'), Hole.ToString())
                : "@" + assigned;
        var path = RazorExpression().Replace(value, Hole.ToString());
        return path == Hole.ToString() ? value : path;
    }

    private static string? LocalValue(string name, string template)
    {
        var declaration = new Regex($@"var\s+{name}\s*=\s*(?<value>[^;]+);|(?<value>[\w.]+)\s+is\s+\{{\s*\}}\s+{name}\b")
            .Match(template);
        return declaration.Success ? declaration.Groups["value"].Value.Trim() : null;
    }

    /// <summary>
    /// A URL built in C# by the template's own model or by a type of its own folder belongs to its own slice, which ships
    /// (and is deleted) with the template, as the architecture tests keep a template to its own slice's types.
    /// </summary>
    private static bool BuiltByItsOwnSlice(Request request)
    {
        var expression = request.Target.TrimStart('@').TrimStart('(');
        if (expression == "Model" || expression.StartsWith("Model.")) return true;
        if (request.Template == "Infrastructure/Web/_PageParts.cshtml" && expression == "part.Href") return true; // see DeclaredRequests
        if (expression.StartsWith("PageContributions.Fill(", StringComparison.Ordinal)) return true; // a declared href, see DeclaredRequests
        var folderNamespace = "App." + Path.GetDirectoryName(request.Template)!.Replace('/', '.');
        var typeName = expression.Split('.')[0];
        return typeof(Program).Assembly.GetType($"{folderNamespace}.{typeName}") is not null;
    }

    private static bool Answers(RouteEndpoint route, Request request)
    {
        if (route.Metadata.GetMetadata<HttpMethodMetadata>() is { } methods &&
            !methods.HttpMethods.Contains(request.Method, StringComparer.OrdinalIgnoreCase))
            return false;
        var segments = request.Target.Split('?', '#')[0].Split('/', StringSplitOptions.RemoveEmptyEntries);
        var pattern = route.RoutePattern.PathSegments;
        for (var i = 0; i < pattern.Count; i++)
        {
            var parts = pattern[i].Parts;
            if (parts.Any(part => part is RoutePatternParameterPart { IsCatchAll: true })) return true;
            if (i == segments.Length) return pattern.Skip(i).All(s => s.Parts is [RoutePatternParameterPart { IsOptional: true }]);
            // A segment with a parameter in it takes any value; a literal one must match what the template can produce.
            if (parts is [RoutePatternLiteralPart literal] && !SegmentPattern(segments[i]).IsMatch(literal.Content)) return false;
        }
        return segments.Length == pattern.Count;
    }

    private static Regex SegmentPattern(string segment) =>
        new("^" + string.Join(".+", segment.Split(Hole).Select(Regex.Escape)) + "$", RegexOptions.IgnoreCase);

    private static string? Attribute(string tag, string name) =>
        new Regex($@"\s{name}=""(?<value>[^""]*)""").Match(tag) is { Success: true } match ? match.Groups["value"].Value : null;

    [GeneratedRegex(@"@\*.*?\*@", RegexOptions.Singleline)]
    private static partial Regex RazorComment();

    [GeneratedRegex(@"<form\b[^>]*>")]
    private static partial Regex FormTag();

    [GeneratedRegex(@"\shx-(?<method>get|post|put|patch|delete)=""(?<value>[^""]*)""")]
    private static partial Regex HtmxRequest();

    [GeneratedRegex(@"^@(?<name>[A-Za-z_]\w*)$")]
    private static partial Regex LocalName();

    /// <summary>An explicit Razor expression <c>@(...)</c> or an implicit one such as <c>@e.Id</c> or <c>@Model.Url(x)</c>.</summary>
    [GeneratedRegex(@"@\([^)]*\)|@[A-Za-z_][\w.]*(\([^)]*\))?")]
    private static partial Regex RazorExpression();

    [GeneratedRegex(@"\{[^{}]*\}")]
    private static partial Regex Interpolation();
}
