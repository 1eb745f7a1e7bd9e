using System.Buffers;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace App.Features.FreeTimes;

/// <summary>
/// The free-times answer, <c>Envelope&lt;FreeTimeSlots&gt;</c>, written around slots serialized when they were cached
/// (<see cref="SerializedSlots"/>): a week holds about 80 of them, and serializing those on every request cost more than
/// everything else a cached request does. A cached answer comes whole, envelope and fetchedAt included, and is sent as it
/// is, gzipped when the caller accepts it (compressed once per answer, see <see cref="CachedAnswer"/>). A test holds it to
/// the serializer's own output.
/// </summary>
public sealed class FreeTimesJson(FreeTimeSlots free) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public int? StatusCode => StatusCodes.Status200OK;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var cached = free.Cached?.Answer(free.Stale, free.FetchedAt);
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.Headers.Append(HeaderNames.Vary, "Accept-Encoding");
        var body = cached?.Json ?? Uncached();
        if (cached?.Gzip is { } gzip && AcceptsGzip(httpContext.Request.Headers.AcceptEncoding))
        {
            response.Headers.ContentEncoding = "gzip";
            body = gzip;
        }
        // Known up front, so Kestrel sends the headers first and the body as it is, not chunked and not buffered again.
        response.ContentLength = body.Length;
        await response.StartAsync(httpContext.RequestAborted);
        WriteTo(response.BodyWriter, body);
        await response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }

    public void WriteTo(IBufferWriter<byte> output) => WriteTo(output, free.Cached?.Answer(free.Stale, free.FetchedAt).Json ?? Uncached());

    // One span for the whole answer: Kestrel then hands the socket one buffer rather than a 4 KB block at a time.
    private static void WriteTo(IBufferWriter<byte> output, byte[] answer)
    {
        answer.CopyTo(output.GetSpan(answer.Length));
        output.Advance(answer.Length);
    }

    // Not from the cache (nothing to ask Calendly for): made for this request alone, and never worth compressing.
    private byte[] Uncached() => Envelope(SerializedSlots.Of(free.Slots).Run(0, free.Slots.Count).Span, free.Stale, free.FetchedAt);

    /// <summary>
    /// Whether to send gzip for this Accept-Encoding (RFC 9110 §12.5.3): gzip (or x-gzip), or else <c>*</c>, with a weight
    /// above zero and not below identity's when identity is named. Read by hand on every cached request, like the query:
    /// browsers send <c>gzip, deflate, br, zstd</c>.
    /// </summary>
    public static bool AcceptsGzip(StringValues acceptEncoding)
    {
        double? gzip = null, any = null, identity = null;
        foreach (var header in acceptEncoding)
        {
            var rest = header.AsSpan();
            while (!rest.IsEmpty)
            {
                var comma = rest.IndexOf(',');
                var item = comma < 0 ? rest : rest[..comma];
                rest = comma < 0 ? [] : rest[(comma + 1)..];
                var semicolon = item.IndexOf(';');
                var coding = (semicolon < 0 ? item : item[..semicolon]).Trim();
                var weight = semicolon < 0 ? 1 : Weight(item[(semicolon + 1)..]);
                if (coding.Equals("gzip", StringComparison.OrdinalIgnoreCase) || coding.Equals("x-gzip", StringComparison.OrdinalIgnoreCase))
                    gzip = Math.Max(gzip ?? 0, weight);
                else if (coding is "*") any = weight;
                else if (coding.Equals("identity", StringComparison.OrdinalIgnoreCase)) identity = weight;
            }
        }
        var gzipWeight = gzip ?? any ?? 0;
        return gzipWeight > 0 && gzipWeight >= (identity ?? 0);
    }

    // The q parameter among a coding's parameters ("q=0.5"); 1 when absent or malformed.
    private static double Weight(ReadOnlySpan<char> parameters)
    {
        while (!parameters.IsEmpty)
        {
            var semicolon = parameters.IndexOf(';');
            var parameter = (semicolon < 0 ? parameters : parameters[..semicolon]).Trim();
            parameters = semicolon < 0 ? [] : parameters[(semicolon + 1)..];
            if (parameter is ['q' or 'Q', '=', .. var value]
                && double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var weight))
                return weight;
        }
        return 1;
    }

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
