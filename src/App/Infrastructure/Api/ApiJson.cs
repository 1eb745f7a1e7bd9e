using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace App.Infrastructure.Api;

/// <summary>JSON on the wire: camelCase names, enums as strings, every instant as ISO-8601 UTC ("…Z").</summary>
public static class ApiJson
{
    /// <summary>The options of the app's JSON answers, for JSON written ahead of a request (see FreeTimesJson).</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        // As ASP.NET sets it for the answers it writes (they are never embedded in HTML); said here so that JSON written
        // ahead of a request with Options comes out the same.
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.Converters.Add(new UtcDateTimeOffsetConverter());
    }

    private sealed class UtcDateTimeOffsetConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetDateTimeOffset();

        // A UTC DateTime is written as ISO 8601 with "Z", without allocating: this runs for every slot of every answer.
        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.UtcDateTime);
    }
}
