using System.Buffers;
using System.Reflection;
using System.Text.Json;
using App.Infrastructure.Api;
using Microsoft.AspNetCore.Http.Metadata;
using static App.Features.FreeTimes.FreeTimesModule;

namespace App.Features.FreeTimes;

/// <summary>
/// The free-times answer, <c>Envelope&lt;FreeTimeSlots&gt;</c>, written around slots serialized when they were cached
/// (<see cref="FreeTimesCache.Snapshot.SlotsJson"/>): a week holds about 80 of them, and serializing those on every request
/// cost more than everything else a cached request does. A test holds it to the serializer's own output.
/// </summary>
public sealed class FreeTimesJson(FreeTimeSlots free) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public int? StatusCode => StatusCodes.Status200OK;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = "application/json; charset=utf-8";
        WriteTo(httpContext.Response.BodyWriter);
        await httpContext.Response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }

    public void WriteTo(IBufferWriter<byte> output)
    {
        // The writer's encoder, not the serializer's, escapes what is written through it.
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = ApiJson.Options.Encoder });
        json.WriteStartObject();
        json.WriteStartObject("data");
        json.WriteStartArray("slots");
        if (free.SlotsJson is { } slotsJson)
            foreach (var slot in slotsJson) json.WriteRawValue(slot, skipInputValidation: true);
        else
            foreach (var slot in free.Slots) JsonSerializer.Serialize(json, slot, ApiJson.Options);
        json.WriteEndArray();
        json.WriteBoolean("stale", free.Stale);
        json.WritePropertyName("fetchedAt");
        JsonSerializer.Serialize(json, free.FetchedAt, ApiJson.Options);
        json.WriteEndObject();
        json.WriteNull("error");
        json.WriteEndObject();
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(Envelope<FreeTimeSlots>), ["application/json"]));
}
