using System.Buffers;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;

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
