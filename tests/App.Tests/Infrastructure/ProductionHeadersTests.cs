using System.Security.Cryptography;
using Alba;
using App.Infrastructure.Auth;
using App.Tests.Support;

namespace App.Tests.Infrastructure;

/// <summary>
/// The app as fly.toml runs it: Production, behind a proxy that terminates TLS and says so in X-Forwarded-Proto
/// (ASPNETCORE_FORWARDEDHEADERS_ENABLED). Cookies must be Secure there and answers must carry HSTS.
/// </summary>
public sealed class ProductionHeadersTests
{
    private static async Task<(IAlbaHost Host, TestDatabase Database)> StartAsync()
    {
        var database = await TestDatabase.CreateAsync();
        var host = await AppHost.StartAsync(database.ConnectionString, new Dictionary<string, string>
        {
            ["environment"] = "Production",
            ["ALLOW_DEV_SIGN_IN"] = "true",
            ["DATA_PROTECTION_KEK"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["FORWARDEDHEADERS_ENABLED"] = "true",
        });
        return (host, database);
    }

    private static Browser BehindTheProxy(IAlbaHost host)
    {
        var client = host.Server.CreateClient();
        client.DefaultRequestHeaders.Host = "calendly-slices.example";
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        client.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.7");
        return new Browser(client);
    }

    private static string SetCookie(HttpResponseMessage response, string name) =>
        response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(name + "=", StringComparison.Ordinal)).ToLowerInvariant();

    [Test]
    public async Task Behind_the_TLS_proxy_cookies_are_Secure_and_answers_carry_HSTS()
    {
        var (host, database) = await StartAsync();
        await using var _ = database;
        await using var __ = host;
        var browser = BehindTheProxy(host);

        var page = await browser.GetAsync("/dev/sign-in");
        await Assert.That(page.Headers.GetValues("Strict-Transport-Security").Single()).Contains("max-age=");
        var antiforgery = SetCookie(page, "calendly_slices_csrf");
        await Assert.That(antiforgery).Contains("; secure");
        await Assert.That(antiforgery).Contains("; httponly");
        await Assert.That(antiforgery).Contains("; samesite=strict");

        var signIn = await browser.PostFormAsync("/dev/sign-in", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = await browser.AntiforgeryTokenFromAsync("/dev/sign-in"),
            ["userId"] = "prod-coach", ["email"] = "prod-coach@example.test", ["role"] = "coach", ["timeZone"] = "UTC",
        });
        var session = SetCookie(signIn, AuthSetup.DevCookieName);
        await Assert.That(session).Contains("; secure");
        await Assert.That(session).Contains("; httponly");
        // Lax: the session comes along on a top-level navigation back from Calendly's consent page.
        await Assert.That(session).Contains("; samesite=lax");

        var connect = await browser.GetAsync("/api/calendly/oauth/connect");
        await Assert.That(SetCookie(connect, "calendly_oauth_pending")).Contains("; secure");
    }

    [Test]
    public async Task Plain_http_gets_no_HSTS()
    {
        var (host, database) = await StartAsync();
        await using var _ = database;
        await using var __ = host;

        var page = await new Browser(host.Server.CreateClient()).GetAsync("/dev/sign-in");

        await Assert.That(page.Headers.Contains("Strict-Transport-Security")).IsFalse();
        await Assert.That(SetCookie(page, "calendly_slices_csrf")).DoesNotContain("; secure");
    }
}
