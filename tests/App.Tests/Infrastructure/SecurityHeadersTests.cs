using System.Net;
using System.Text.RegularExpressions;
using App.Tests.Support;

namespace App.Tests.Infrastructure;

[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed partial class SecurityHeadersTests(AppFixture app)
{
    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : "";

    /// <summary>The CSP as directive → sources.</summary>
    private static Dictionary<string, string[]> Csp(HttpResponseMessage response) =>
        Header(response, "Content-Security-Policy").Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(directive => directive.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToDictionary(parts => parts[0], parts => parts[1..]);

    private async Task AssertHardenedAsync(HttpResponseMessage response)
    {
        var csp = Csp(response);
        await Assert.That(csp["script-src"]).IsEquivalentTo(["'self'"]);
        await Assert.That(csp["style-src"]).IsEquivalentTo(["'self'"]);
        await Assert.That(csp["default-src"]).IsEquivalentTo(["'self'"]);
        await Assert.That(csp["object-src"]).IsEquivalentTo(["'none'"]);
        await Assert.That(csp["frame-ancestors"]).IsEquivalentTo(["'none'"]);
        // Simulated mode frames the simulator's booking page, and nothing else.
        await Assert.That(csp["frame-src"]).IsEquivalentTo([new Uri(app.Simulator.BaseUrl).GetLeftPart(UriPartial.Authority)]);
        await Assert.That(Header(response, "X-Content-Type-Options")).IsEqualTo("nosniff");
        await Assert.That(Header(response, "X-Frame-Options")).IsEqualTo("DENY");
        await Assert.That(Header(response, "Referrer-Policy")).IsEqualTo("strict-origin-when-cross-origin");
        await Assert.That(Header(response, "Permissions-Policy")).Contains("camera=()");
        await Assert.That(Header(response, "Permissions-Policy")).Contains("geolocation=()");
        // Not in Development: HSTS is for Production (SecureCookiesTests).
        await Assert.That(Header(response, "Strict-Transport-Security")).IsEqualTo("");
    }

    [Test]
    public async Task A_page_carries_the_security_headers()
    {
        var response = await app.NewBrowser().GetAsync("/dev/sign-in");
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await AssertHardenedAsync(response);
    }

    [Test]
    public async Task A_json_answer_carries_the_security_headers()
    {
        var browser = await ConnectedCoaches.SignedInAsync(app.Host, $"headers-{Guid.NewGuid():N}", "realtor");
        var response = await browser.GetAsync(SignedInUserModule.Path);
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await AssertHardenedAsync(response);
    }

    [Test]
    public async Task An_error_page_carries_the_security_headers()
    {
        var browser = app.NewBrowser();
        await browser.SignInAsync($"headers-{Guid.NewGuid():N}"[..20], "headers@example.test", "realtor");
        var response = await browser.GetAsync("/no-such-page");
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
        await Assert.That(await response.Content.ReadAsStringAsync()).Contains("Page not found");
        await AssertHardenedAsync(response);
    }

    [Test]
    [NeedsSlices("Scheduled")]
    public async Task Pages_have_no_inline_script_or_style_and_htmx_needs_neither()
    {
        var browser = app.NewBrowser();
        await browser.SignInAsync($"headers-{Guid.NewGuid():N}"[..20], "headers@example.test", "realtor");
        var html = await (await browser.GetAsync("/sessions")).Content.ReadAsStringAsync();

        await Assert.That(InlineScript().IsMatch(html)).IsFalse();
        await Assert.That(html).DoesNotContain("<style");
        await Assert.That(html).DoesNotContain("style=");
        await Assert.That(html).Contains("\"allowEval\":false");
        await Assert.That(html).Contains("\"includeIndicatorStyles\":false");
        // The sessions list refreshes on the live event (site.js polls while the stream is closed), not on an eval'd filter.
        await Assert.That(html).DoesNotContain("visibilityState");
        await Assert.That(html).Contains("hx-trigger=\"sse:sessions-changed\"");
    }

    [Test]
    public async Task The_api_reference_is_served_by_the_app_and_its_one_inline_script_runs_by_nonce()
    {
        var response = await app.NewBrowser().GetAsync("/api/reference/");
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        var html = await response.Content.ReadAsStringAsync();
        var nonce = Csp(response)["script-src"].Single(source => source.StartsWith("'nonce-", StringComparison.Ordinal))[7..^1];

        var nonces = NonceAttribute().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();
        await Assert.That(nonces).IsNotEmpty();
        await Assert.That(nonces.All(n => n == nonce)).IsTrue();
        await Assert.That(Csp(response)["frame-ancestors"]).IsEquivalentTo(["'none'"]);
        // Every script is the app's own: no CDN.
        foreach (Match script in ScriptSource().Matches(html))
            await Assert.That(script.Groups[1].Value).DoesNotContain("//");
        var bundle = await app.NewBrowser().GetAsync("/api/reference/scalar.js");
        await Assert.That(bundle.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That((await bundle.Content.ReadAsByteArrayAsync()).Length).IsGreaterThan(100_000);
        await Assert.That((await app.NewBrowser().GetAsync("/openapi/v1.json")).StatusCode).IsEqualTo(HttpStatusCode.OK);
    }

    [GeneratedRegex("<script(?![^>]*\\bsrc=)[^>]*>")]
    private static partial Regex InlineScript();

    [GeneratedRegex("nonce=\"([^\"]+)\"")]
    private static partial Regex NonceAttribute();

    [GeneratedRegex("<script[^>]*\\bsrc=\"([^\"]+)\"")]
    private static partial Regex ScriptSource();
}
