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

    [Test]
    public async Task The_free_times_route_documents_its_query_and_its_answer()
    {
        var document = await Browser.JsonAsync(await app.NewBrowser().GetAsync("/openapi/v1.json"));
        var operation = document.GetProperty("paths").GetProperty("/api/calendly/availability/free").GetProperty("get");

        var parameters = operation.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()!).ToList();
        await Assert.That(parameters).IsEquivalentTo(["eventUri", "startTime", "endTime"]);
        var answer = operation.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json")
            .GetProperty("schema").GetProperty("$ref").GetString()!;
        var envelope = document.GetProperty("components").GetProperty("schemas").GetProperty(answer.Split('/')[^1]);
        await Assert.That(envelope.GetProperty("properties").TryGetProperty("data", out _)).IsTrue();
        await Assert.That(operation.GetProperty("responses").TryGetProperty("400", out _)).IsTrue();
    }
}
