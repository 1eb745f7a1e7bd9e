using System.Buffers;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using static App.Features.FreeTimes.FreeTimesModule;

namespace App.Features.FreeTimes;

/// <summary>
/// The free-times answer, <c>Envelope&lt;FreeTimeSlots&gt;</c>, written around slots serialized when they were cached
/// (<see cref="SerializedSlots"/>): a week holds about 80 of them, and serializing those on every request cost more than
/// everything else a cached request does. A test holds it to the serializer's own output.
/// </summary>
public sealed class FreeTimesJson(FreeTimeSlots free) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public int? StatusCode => StatusCodes.Status200OK;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var parts = Parts();
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = "application/json; charset=utf-8";
        // Known up front, so Kestrel sends the headers first and the body as it is, not chunked and not buffered again.
        httpContext.Response.ContentLength = Length(parts);
        await httpContext.Response.StartAsync(httpContext.RequestAborted);
        WriteTo(httpContext.Response.BodyWriter, parts);
        await httpContext.Response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }

    public void WriteTo(IBufferWriter<byte> output) => WriteTo(output, Parts());

    // One span for the whole answer: Kestrel then hands the socket one buffer rather than a 4 KB block at a time.
    private static void WriteTo(IBufferWriter<byte> output, ReadOnlyMemory<byte>[] parts)
    {
        var length = Length(parts);
        var span = output.GetSpan(length);
        var written = 0;
        foreach (var part in parts)
        {
            part.Span.CopyTo(span[written..]);
            written += part.Length;
        }
        output.Advance(length);
    }

    private static int Length(ReadOnlyMemory<byte>[] parts) => parts.Sum(part => part.Length);

    private static readonly byte[] Start = """{"data":{"slots":["""u8.ToArray();
    private static readonly byte[] StaleTrue = """],"stale":true,"fetchedAt":"""u8.ToArray();
    private static readonly byte[] StaleFalse = """],"stale":false,"fetchedAt":"""u8.ToArray();
    private static readonly byte[] End = """},"error":null}"""u8.ToArray();

    private ReadOnlyMemory<byte>[] Parts() =>
    [
        Start,
        free.SlotsJson ?? SerializedSlots.Of(free.Slots).Run(0, free.Slots.Count),
        free.Stale ? StaleTrue : StaleFalse,
        JsonSerializer.SerializeToUtf8Bytes(free.FetchedAt, ApiJson.Options),
        End,
    ];

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(Envelope<FreeTimeSlots>), ["application/json"]));
}

/// <summary>Slots serialized once, back to back with commas between them, so that any run of them is one span of bytes.</summary>
public sealed class SerializedSlots
{
    private readonly byte[] _json;
    // Where each slot's JSON starts; one more entry, one past the end of the last (where its comma would be).
    private readonly int[] _starts;

    private SerializedSlots(byte[] json, int[] starts) => (_json, _starts) = (json, starts);

    public static SerializedSlots Of(IReadOnlyList<FreeTimeSlot> slots)
    {
        var json = new ArrayBufferWriter<byte>();
        var starts = new int[slots.Count + 1];
        using var writer = new Utf8JsonWriter(json, new JsonWriterOptions { Encoder = ApiJson.Options.Encoder });
        for (var i = 0; i < slots.Count; i++)
        {
            if (i > 0) json.Write(","u8);
            starts[i] = json.WrittenCount;
            JsonSerializer.Serialize(writer, slots[i], ApiJson.Options);
            writer.Flush();
            writer.Reset(json);
        }
        starts[slots.Count] = json.WrittenCount + 1;
        return new SerializedSlots(json.WrittenSpan.ToArray(), starts);
    }

    /// <summary>The JSON of slots <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/>, without brackets.</summary>
    public ReadOnlyMemory<byte> Run(int first, int count) =>
        count == 0 ? ReadOnlyMemory<byte>.Empty : _json.AsMemory(_starts[first], _starts[first + count] - 1 - _starts[first]);
}
