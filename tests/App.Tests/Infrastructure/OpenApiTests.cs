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
        await Assert.That(paths.TryGetProperty("/api/dev/token", out _)).IsTrue();
        await Assert.That(paths.TryGetProperty("/dashboard", out _)).IsFalse();
        await Assert.That(paths.TryGetProperty("/healthz", out _)).IsFalse();
    }

    [Test]
    public async Task The_dev_token_route_documents_the_optional_name()
    {
        var document = await Browser.JsonAsync(await app.NewBrowser().GetAsync("/openapi/v1.json"));
        var body = document.GetProperty("paths").GetProperty("/api/dev/token").GetProperty("post").GetProperty("requestBody")
            .GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString()!;
        var request = document.GetProperty("components").GetProperty("schemas").GetProperty(body.Split('/')[^1]);

        var name = request.GetProperty("properties").GetProperty("name");
        await Assert.That(name.GetProperty("description").GetString()).Contains("1–100 characters");
        await Assert.That(request.TryGetProperty("required", out var required) && required.EnumerateArray().Any(r => r.GetString() == "name")).IsFalse();
    }

    [Test]
    public async Task Routes_that_need_a_signed_in_caller_document_the_bearer_token_and_their_401()
    {
        var document = await Browser.JsonAsync(await app.NewBrowser().GetAsync("/openapi/v1.json"));
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        await Assert.That(scheme.GetProperty("scheme").GetString()).IsEqualTo("bearer");

        var operations = document.GetProperty("paths").EnumerateObject()
            .Where(path => !path.Name.Contains("/test-faults/"))
            .SelectMany(path => path.Value.EnumerateObject().Select(operation => (Route: $"{operation.Name} {path.Name}", operation.Value)))
            .ToList();
        var signedIn = operations.Where(o => o.Value.TryGetProperty("security", out _)).Select(o => o.Route).ToList();
        var with401 = operations.Where(o => o.Value.GetProperty("responses").TryGetProperty("401", out _)).Select(o => o.Route).ToList();

        // Everything but the sign-in itself and Calendly's deliveries (signed, not signed in; their 401 is a bad signature),
        // which are only there while the Webhooks slice is.
        await Assert.That(operations.Select(o => o.Route).Except(signedIn).Except(["post /api/calendly/webhooks"]))
            .IsEquivalentTo(["post /api/dev/token"]);
        await Assert.That(signedIn.Except(with401)).IsEmpty();
    }
}
