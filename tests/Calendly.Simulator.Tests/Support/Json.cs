using System.Text.Json;

namespace Calendly.Simulator.Tests.Support;

public static class Json
{
    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        return await response.JsonAsync();
    }

    public static string Text(this JsonElement element, string property) => element.GetProperty(property).GetString()!;

    public static IReadOnlyList<string> Names(this JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];

    /// <summary>Calendly's timestamps: UTC, six fractional digits, Z.</summary>
    public static bool IsCalendlyTimestamp(this string? text) =>
        text is not null && System.Text.RegularExpressions.Regex.IsMatch(text, @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$");

    public static string Uuid(this string uri) => uri[(uri.LastIndexOf('/') + 1)..];
}
