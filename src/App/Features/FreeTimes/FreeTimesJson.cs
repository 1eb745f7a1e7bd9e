using System.Buffers;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;

namespace App.Features.FreeTimes;

/// <summary>
/// The free-times answer, <c>Envelope&lt;FreeTimeSlots&gt;</c>, written around slots serialized when they were cached
/// (<see cref="SerializedSlots"/>): a week holds about 80 of them, and serializing those on every request cost more than
/// everything else a cached request does. A cached answer comes whole, envelope and fetchedAt included, and is sent as it
/// is. A test holds it to the serializer's own output.
/// </summary>
public sealed class FreeTimesJson(FreeTimeSlots free) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public int? StatusCode => StatusCodes.Status200OK;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var answer = Answer();
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = "application/json; charset=utf-8";
        // Known up front, so Kestrel sends the headers first and the body as it is, not chunked and not buffered again.
        httpContext.Response.ContentLength = answer.Length;
        await httpContext.Response.StartAsync(httpContext.RequestAborted);
        WriteTo(httpContext.Response.BodyWriter, answer);
        await httpContext.Response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }

    public void WriteTo(IBufferWriter<byte> output) => WriteTo(output, Answer());

    // One span for the whole answer: Kestrel then hands the socket one buffer rather than a 4 KB block at a time.
    private static void WriteTo(IBufferWriter<byte> output, byte[] answer)
    {
        answer.CopyTo(output.GetSpan(answer.Length));
        output.Advance(answer.Length);
    }

    private byte[] Answer() =>
        free.AnswerJson ?? Envelope(SerializedSlots.Of(free.Slots).Run(0, free.Slots.Count).Span, free.Stale, free.FetchedAt);

    private static readonly byte[] Start = """{"data":{"slots":["""u8.ToArray();
    private static readonly byte[] StaleTrue = """],"stale":true,"fetchedAt":"""u8.ToArray();
    private static readonly byte[] StaleFalse = """],"stale":false,"fetchedAt":"""u8.ToArray();
    private static readonly byte[] End = """},"error":null}"""u8.ToArray();

    /// <summary>The whole answer around <paramref name="slots"/>, the slots' JSON with commas between them.</summary>
    public static byte[] Envelope(ReadOnlySpan<byte> slots, bool stale, DateTimeOffset fetchedAt)
    {
        var fetched = JsonSerializer.SerializeToUtf8Bytes(fetchedAt, ApiJson.Options);
        var flag = stale ? StaleTrue : StaleFalse;
        var answer = new byte[Start.Length + slots.Length + flag.Length + fetched.Length + End.Length];
        var written = 0;
        Append(answer, ref written, Start);
        Append(answer, ref written, slots);
        Append(answer, ref written, flag);
        Append(answer, ref written, fetched);
        Append(answer, ref written, End);
        return answer;
    }

    private static void Append(byte[] answer, ref int written, ReadOnlySpan<byte> part)
    {
        part.CopyTo(answer.AsSpan(written));
        written += part.Length;
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(Envelope<FreeTimeSlots>), ["application/json"]));
}
