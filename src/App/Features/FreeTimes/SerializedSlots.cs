using System.Buffers;
using System.IO.Compression;
using System.Text.Json;

namespace App.Features.FreeTimes;

/// <summary>
/// Slots serialized once, back to back with commas between them, so that any run of them is one span of bytes; and the
/// last whole answer made from them, envelope and fetchedAt included, which the requests for the same window share.
/// </summary>
public sealed class SerializedSlots
{
    private readonly byte[] _json;
    // Where each slot's JSON starts; one more entry, one past the end of the last (where its comma would be).
    private readonly int[] _starts;

    private sealed record Answered(int First, int Count, bool Stale, CachedAnswer Answer);

    // The last few answers made, the newest replacing the oldest: the requests for a cached window nearly all ask for the
    // same one, and a few windows that share the key (ends within the same quarter hour) do not rebuild theirs in turn.
    private readonly Answered?[] _recent = new Answered?[4];
    private int _made;

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

    /// <summary>
    /// The whole answer (<see cref="FreeTimesJson"/>) for slots <paramref name="first"/> to <paramref name="first"/> +
    /// <paramref name="count"/>: made once and reused while requests ask for the same slots with the same flag.
    /// </summary>
    public CachedAnswer Answer(int first, int count, bool stale, DateTimeOffset fetchedAt)
    {
        foreach (var answered in _recent)
            if (answered is { } known && known.First == first && known.Count == count && known.Stale == stale) return known.Answer;
        var answer = new CachedAnswer(FreeTimesJson.Envelope(Run(first, count).Span, stale, fetchedAt));
        _recent[(uint)Interlocked.Increment(ref _made) % _recent.Length] = new Answered(first, count, stale, answer);
        return answer;
    }

    /// <summary>The JSON of slots <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/>, without brackets.</summary>
    public ReadOnlyMemory<byte> Run(int first, int count) =>
        count == 0 ? ReadOnlyMemory<byte>.Empty : _json.AsMemory(_starts[first], _starts[first + count] - 1 - _starts[first]);
}

/// <summary>
/// One answer's JSON and, made the first time a caller accepts it, the same bytes gzipped: compressed once for every
/// request that shares the answer (a week's 16 KB become well under 1 KB), not once per request.
/// </summary>
public sealed class CachedAnswer(byte[] json)
{
    // Compressing costs a pass over the bytes once per answer; below this the bytes saved are not worth it.
    public const int CompressFrom = 1024;

    public byte[] Json { get; } = json;

    /// <summary>The answer gzipped; null when it is too small to be worth it. Two requests may both compress a new answer: the result is the same.</summary>
    public byte[]? Gzip => Json.Length < CompressFrom ? null : field ??= Compress(Json);

    private static byte[] Compress(byte[] json)
    {
        using var compressed = new MemoryStream(json.Length / 8);
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(json);
        return compressed.ToArray();
    }
}

/// <summary>Where a cached answer comes from: a run of a snapshot's serialized slots, made into JSON only when JSON is asked for.</summary>
public readonly record struct CachedSlots(SerializedSlots Serialized, int First, int Count)
{
    public CachedAnswer Answer(bool stale, DateTimeOffset fetchedAt) => Serialized.Answer(First, Count, stale, fetchedAt);
}
