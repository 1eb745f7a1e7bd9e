using System.Text.Json;

namespace App.Tests.Support;

/// <summary>
/// The app's OpenAPI document, and what a route that asks Calendly must document there; each slice's tests check their
/// own routes with it, so the check of a route goes away with its slice.
/// </summary>
public static class ApiDocument
{
    public static async Task<JsonElement> ReadAsync(AppFixture app) =>
        await Browser.JsonAsync(await app.NewBrowser().GetAsync("/openapi/v1.json"));

    /// <summary>409 (Calendly not connected), 502 and 503 (Calendly failed or is paused), each in the envelope.</summary>
    public static async Task AssertDocumentsUpstreamErrorsAsync(AppFixture app, string method, string path)
    {
        var document = await ReadAsync(app);
        var responses = document.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("responses");

        foreach (var status in new[] { "409", "502", "503" })
        {
            var schema = responses.GetProperty(status).GetProperty("content").GetProperty("application/json").GetProperty("schema");
            await Assert.That(schema.GetProperty("$ref").GetString()).EndsWith("/EnvelopeOfObject");
        }
    }
}
