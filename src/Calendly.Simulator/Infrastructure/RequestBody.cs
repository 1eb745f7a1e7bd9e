using System.Text.Json;

namespace Calendly.Simulator.Infrastructure;

/// <summary>JSON request bodies, read by hand so that bad JSON is a Calendly 400 naming the field, never a 500.</summary>
public static class RequestBody
{
    /// <summary>Camel-case control bodies of /_sim (eventTypeUri, startTime…).</summary>
    public static readonly JsonSerializerOptions ControlJson = new(JsonSerializerDefaults.Web);

    /// <summary>The body as <typeparamref name="T"/>; an empty body gives (null, null).</summary>
    public static async Task<(T? Value, IResult? Error)> ReadAsync<T>(HttpRequest request, JsonSerializerOptions options,
        CancellationToken cancellationToken) where T : class
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(cancellationToken);
        if (string.IsNullOrWhiteSpace(text)) return (null, null);
        try
        {
            return (JsonSerializer.Deserialize<T>(text, options), null);
        }
        catch (JsonException e)
        {
            var field = e.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : null;
            return (null, CalendlyErrors.InvalidArgument(field, field is null ? "The request body is not valid JSON" : "has the wrong type"));
        }
    }
}
