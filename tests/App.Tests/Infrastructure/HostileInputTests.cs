using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using App.Tests.Support;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace App.Tests.Infrastructure;

/// <summary>
/// Every JSON route the OpenAPI document describes, every page that reads a query and every form the pages post, given
/// hostile values by every kind of caller: nothing may answer 5xx, a JSON route's refusal is the envelope with an error
/// code and a page's is an error page, and every status a documented route answers is one its operation lists. JSON
/// routes are read from the document, so a new one is covered the day it is documented; pages and forms are listed here.
/// </summary>
[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed partial class HostileInputTests(AppFixture app)
{
    private static readonly string[] HostileValues =
    [
        "", " ", "x", "-1", "0", "99999999999999999999999", "1e309", "NaN", "null", "true", "[]", "{}",
        "'; drop table users; --", "<script>alert(1)</script>", "\0", "😀", "../../etc/passwd", "%ZZ",
        "https://evil.example/event_types/ABC", "http://[::1", "2026-02-30T25:61:61Z", "-2026-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "startTime:asc,startTime:desc", new string('a', 3000),
    ];

    private static readonly string[] HostileBodies =
    [
        "", "{", "null", "[]", "\"x\"", "123", "{}", "{\"a\":" + new string('[', 500) + new string(']', 500) + "}",
    ];

    private static readonly string[] BrowserRoutes = ["/api/calendly/oauth/connect", "/api/calendly/oauth/callback"];

    // Pages that read their query or path (they are not in the OpenAPI document): path template and query names.
    private static readonly (string Path, string[] Query)[] Pages =
    [
        ("/sessions", ["status", "sort", "minStartTime", "maxStartTime", "count", "pageToken"]),
        ("/sessions/rows/{uuid}", []),
        ("/coaches", []),
        ("/coaches/{coachId}/free-times", ["week", "eventUri"]),
        ("/coaches/{coachId}/book", ["eventTypeUri"]),
        ("/event-types", ["pageToken", "count"]),
        ("/availability", ["userUri"]),
        ("/calendly/status", []),
        ("/admin/webhooks", []),
        ("/api/calendly/oauth/callback", ["code", "state", "error"]),
    ];

    // Forms the pages post (not in the OpenAPI document): path and field names. Sign-out is left out: it would end the test's session.
    private static readonly (string Path, string[] Fields)[] Forms =
    [
        ("/sessions/cancel", ["uuid", "reason", "returnUrl"]),
        ("/sessions/no-shows", ["inviteeUri", "returnUrl"]),
        ("/sessions/no-shows/undo", ["inviteeUri", "noShowUri", "returnUrl"]),
        ("/settings", ["timeZone"]),
        ("/admin/webhooks/{id}/replay", []),
        ("/dev/sign-in", ["userId", "email", "role", "timeZone", "returnUrl"]),
    ];

    [Test]
    [Arguments("coach")]
    [Arguments("realtor")]
    [Arguments("admin")]
    [Arguments("coach, not connected")]
    [Arguments("signed out")]
    public async Task No_hostile_input_gets_a_server_error(string caller)
    {
        var browser = await CallerAsync(caller);
        // Path ids name a coach of this test's own, whose Calendly works: the shared database's user 1 may be another
        // test's coach in an outage, whose honest 503s would also open the Calendly circuit for every other test.
        var id = (await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator)).UserId.ToString(CultureInfo.InvariantCulture);
        var document = await Browser.JsonAsync(await app.NewBrowser().GetAsync("/openapi/v1.json"));
        // One entry per request sent: what was wrong with its answer, or null.
        var problems = new List<string?>();

        // The test assembly's own fault routes (ApiEnvelopeTests) fail on purpose.
        foreach (var path in document.GetProperty("paths").EnumerateObject().Where(p => !p.Name.Contains("/test-faults/")))
        foreach (var operation in path.Value.EnumerateObject())
        {
            var method = new HttpMethod(operation.Name.ToUpperInvariant());
            var query = operation.Value.TryGetProperty("parameters", out var parameters)
                ? parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query").Select(p => p.GetProperty("name").GetString()!).ToArray()
                : [];
            var documented = operation.Value.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToHashSet();
            foreach (var url in Urls(path.Name, query, id))
            foreach (var body in method == HttpMethod.Get ? [null] : Bodies(document, operation.Value).Cast<string?>())
                problems.Add(await ProblemWithAsync(browser, method, url, body, documented));
        }
        var mapped = MappedTemplates();
        foreach (var (path, query) in Pages.Where(p => mapped.Contains(Shape(p.Path))))
        foreach (var url in Urls(path, query, id))
            problems.Add(await ProblemWithAsync(browser, HttpMethod.Get, url, null, documented: null));
        foreach (var (path, fields) in Forms.Where(f => mapped.Contains(Shape(f.Path))))
        foreach (var url in Urls(path, [], id))
        foreach (var form in FormBodies(fields))
            problems.Add(await ProblemWithAsync(browser, HttpMethod.Post, url, form, documented: null));

        await Assert.That(problems.OfType<string>()).IsEmpty();
        // The document was read and walked (over 2,000 requests a caller today, forms included; fewer in an app with
        // fewer slices), not skipped.
        await Assert.That(problems.Count).IsGreaterThan(1000);
    }

    /// <summary>The routes this app maps, by shape: the pages and forms of a slice the app does not have are not swept.</summary>
    private HashSet<string> MappedTemplates() =>
    [
        .. app.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => Shape(e.RoutePattern.RawText ?? "")),
    ];

    /// <summary>A route template with its parameters blanked ("/coaches/{coachId:long}/book" is "/coaches/{}/book").</summary>
    private static string Shape(string template) => ParameterPattern().Replace("/" + template.TrimStart('/'), "{}");

    [GeneratedRegex(@"\{(?:[^{}]|\{\{|\}\})*\}")]
    private static partial Regex ParameterPattern();

    private async Task<Browser> CallerAsync(string caller)
    {
        switch (caller)
        {
            case "signed out":
                return app.NewBrowser();
            case "coach":
                var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
                return await ConnectedCoaches.SignedInAsync(app.Host, coach.ExternalId, "coach");
            case "coach, not connected":
                return await ConnectedCoaches.SignedInAsync(app.Host, $"coach-{Guid.NewGuid():N}", "coach");
            default:
                return await ConnectedCoaches.SignedInAsync(app.Host, $"{caller}-{Guid.NewGuid():N}", caller);
        }
    }

    // Each path parameter and each query parameter in turn takes every hostile value; then all of them at once.
    private static IEnumerable<string> Urls(string template, string[] query, string id)
    {
        var holes = template.Split('/').Where(s => s.StartsWith('{')).ToArray();
        string Path(string value) => holes.Aggregate(template, (path, hole) => path.Replace(hole, Uri.EscapeDataString(value)));
        string Query(IEnumerable<(string Name, string Value)> pairs) =>
            string.Join('&', pairs.Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value)}"));

        yield return Path(id);
        foreach (var value in HostileValues)
        {
            // A NUL in the path is refused by the server before the app (the test server throws instead).
            if (holes.Length > 0 && value.Length is > 0 and < 100 && !value.Contains('/') && !value.Contains('\0')) yield return Path(value);
            foreach (var name in query) yield return $"{Path(id)}?{Query([(name, value)])}";
            if (query.Length > 1) yield return $"{Path(id)}?{Query(query.Select(name => (name, value)))}";
        }
    }

    // Bodies that are not JSON, or not the shape asked for, and the documented shape with each property made hostile.
    private static IEnumerable<string> Bodies(JsonElement document, JsonElement operation)
    {
        foreach (var body in HostileBodies) yield return body;
        foreach (var property in BodyProperties(document, operation))
        {
            foreach (var value in HostileValues) yield return JsonSerializer.Serialize(new Dictionary<string, string> { [property] = value });
            foreach (var json in new[] { "123", "-1", "true", "[]", "{}", "null", "1.5e400" }) yield return $"{{\"{property}\":{json}}}";
        }
    }

    // Each field in turn takes every hostile value (the others left out), then all of them at once.
    private static IEnumerable<HttpContent> FormBodies(string[] fields)
    {
        yield return new FormUrlEncodedContent([]);
        foreach (var value in HostileValues)
        {
            foreach (var field in fields) yield return new FormUrlEncodedContent([new(field, value)]);
            if (fields.Length > 1) yield return new FormUrlEncodedContent(fields.Select(field => new KeyValuePair<string, string>(field, value)));
        }
    }

    private static IEnumerable<string> BodyProperties(JsonElement document, JsonElement operation)
    {
        if (!operation.TryGetProperty("requestBody", out var body)
            || !body.GetProperty("content").TryGetProperty("application/json", out var json)
            || !json.GetProperty("schema").TryGetProperty("$ref", out var reference)) return [];
        var schema = document.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1]);
        return schema.TryGetProperty("properties", out var properties) ? properties.EnumerateObject().Select(p => p.Name).ToArray() : [];
    }

    // What is wrong with the answer to one request, or null. A documented route must answer a status its OpenAPI lists.
    private static async Task<string?> ProblemWithAsync(Browser browser, HttpMethod method, string url, object? body,
        IReadOnlySet<string>? documented)
    {
        using var request = new HttpRequestMessage(method, url);
        request.Content = body switch
        {
            string json => new StringContent(json, Encoding.UTF8, "application/json"),
            HttpContent form => form,
            _ => null,
        };
        var sent = request.Content is null ? "" : await request.Content.ReadAsStringAsync();
        using var response = await browser.SendAsync(request);
        var said = $"{method} {url[..Math.Min(url.Length, 160)]} {sent[..Math.Min(sent.Length, 80)]}";
        if ((int)response.StatusCode >= 500) return $"{said} → {(int)response.StatusCode}";
        if (documented is not null && !documented.Contains(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)))
            return $"{said} → {(int)response.StatusCode}, which its OpenAPI operation does not list";
        if ((int)response.StatusCode < 400) return null;
        // Pages, and the OAuth routes a browser follows, refuse with an error page.
        if (!url.StartsWith("/api/", StringComparison.Ordinal) || BrowserRoutes.Any(route => url.StartsWith(route, StringComparison.Ordinal)))
            return response.Content.Headers.ContentType?.MediaType == "text/html"
                ? null
                : $"{said} → {(int)response.StatusCode} as {response.Content.Headers.ContentType?.MediaType ?? "no content"}, not an error page";
        if (response.Content.Headers.ContentType?.MediaType != "application/json")
            return $"{said} → {(int)response.StatusCode} as {response.Content.Headers.ContentType?.MediaType ?? "no content"}";
        var envelope = await Browser.JsonAsync(response);
        return envelope.GetProperty("data").ValueKind != JsonValueKind.Null
               || envelope.GetProperty("error").GetProperty("code").GetString() is not { Length: > 0 }
            ? $"{said} → {(int)response.StatusCode} without the error envelope"
            : null;
    }
}
