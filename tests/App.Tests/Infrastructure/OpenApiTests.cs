using System.Net;
using App.Tests.Support;

namespace App.Tests.Infrastructure;

[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed class OpenApiTests(AppFixture app)
{
    [Test]
    public async Task The_json_routes_are_described_and_the_pages_are_not()
    {
        var response = await app.NewBrowser().GetAsync("/openapi/v1.json");
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        var paths = (await Browser.JsonAsync(response)).GetProperty("paths");
        await Assert.That(paths.TryGetProperty("/api/me", out _)).IsTrue();
        await Assert.That(paths.TryGetProperty("/api/dev/token", out _)).IsTrue();
        await Assert.That(paths.TryGetProperty("/dashboard", out _)).IsFalse();
        await Assert.That(paths.TryGetProperty("/healthz", out _)).IsFalse();
    }
}
