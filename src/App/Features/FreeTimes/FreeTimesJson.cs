using System.Buffers;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Primitives;

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
        var answer = Answer();
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.Headers.Vary = "Accept-Encoding";
        var body = answer.Json;
        if (answer.Gzip is { } gzip && AcceptsGzip(httpContext.Request.Headers.AcceptEncoding))
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

    public void WriteTo(IBufferWriter<byte> output) => WriteTo(output, Answer().Json);

    // One span for the whole answer: Kestrel then hands the socket one buffer rather than a 4 KB block at a time.
    private static void WriteTo(IBufferWriter<byte> output, byte[] answer)
    {
        answer.CopyTo(output.GetSpan(answer.Length));
        output.Advance(answer.Length);
    }

    private CachedAnswer Answer() =>
        free.Answer ?? new CachedAnswer(Envelope(SerializedSlots.Of(free.Slots).Run(0, free.Slots.Count).Span, free.Stale, free.FetchedAt));

    /// <summary>
    /// Whether Accept-Encoding admits gzip (RFC 9110 §12.5.3): named, or covered by <c>*</c>, with a quality above zero.
    /// Read by hand on every cached request, like the query: browsers send <c>gzip, deflate, br, zstd</c>.
    /// </summary>
    public static bool AcceptsGzip(StringValues acceptEncoding)
    {
        var anyAccepted = false;
        foreach (var header in acceptEncoding)
        {
            var rest = header.AsSpan();
            while (!rest.IsEmpty)
            {
                var comma = rest.IndexOf(',');
                var item = (comma < 0 ? rest : rest[..comma]).Trim();
                rest = comma < 0 ? [] : rest[(comma + 1)..];
                var semicolon = item.IndexOf(';');
                var coding = (semicolon < 0 ? item : item[..semicolon]).TrimEnd();
                var gzip = coding.Equals("gzip", StringComparison.OrdinalIgnoreCase) || coding.Equals("x-gzip", StringComparison.OrdinalIgnoreCase);
                if (!gzip && coding is not "*") continue;
                var accepted = semicolon < 0 || !QualityIsZero(item[(semicolon + 1)..]);
                // Named, gzip's own quality decides, whatever * says.
                if (gzip) return accepted;
                anyAccepted = accepted;
            }
        }
        return anyAccepted;
    }

    // "q=0", "q=0.0", "q=0.000": the coding is refused. A malformed weight is not a refusal.
    private static bool QualityIsZero(ReadOnlySpan<char> parameters)
    {
        var weight = parameters.Trim();
        if (weight.Length < 2 || (weight[0] is not ('q' or 'Q')) || weight[1] != '=') return false;
        return double.TryParse(weight[2..].Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var quality) && quality == 0;
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
