using System.Buffers;
using System.Text;
using System.Text.Json;
using App.Features.FreeTimes;
using App.Infrastructure.Api;
using App.Tests.Support;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace App.Tests.Features.FreeTimes;

/// <summary>
/// The free-times answer is written around slots serialized ahead of the request: it must be, byte for byte, what
/// ASP.NET would write for the same envelope with the app's JSON options.
/// </summary>
[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed class FreeTimesJsonTests(AppFixture app)
{
    private static readonly FreeTimeSlot[] Slots =
    [
        new(new DateTimeOffset(2026, 3, 8, 9, 0, 0, TimeSpan.FromHours(-5)), "available", 1,
            "https://calendly.com/coach/30min/2026-03-08T14:00:00Z?month=2026-03&date=2026-03-08"),
        new(new DateTimeOffset(2026, 3, 8, 14, 30, 0, 123, TimeSpan.Zero), "available", 3, "https://calendly.com/coach/group/<\"é\">"),
    ];

    [Test]
    [Arguments(false)]
    [Arguments(true)]
    public async Task The_answer_is_what_ASP_NET_would_write_for_the_envelope(bool stale)
    {
        var fetchedAt = new DateTimeOffset(2026, 3, 7, 22, 15, 30, 250, TimeSpan.FromHours(1));
        var free = new FreeTimeSlots(Slots, stale, fetchedAt);
        // One SerializedSlots for all, as a cached snapshot has: its answers for other runs and flags must not leak into each other.
        var serialized = SerializedSlots.Of(Slots);
        var cached = free with { Cached = new CachedSlots(serialized, 0, Slots.Length) };
        var otherFlag = free with { Stale = !stale, Cached = new CachedSlots(serialized, 0, Slots.Length) };
        var lastOnly = new FreeTimeSlots(Slots[1..], stale, fetchedAt) { Cached = new CachedSlots(serialized, 1, 1) };
        var aspNet = app.Host.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var expected = JsonSerializer.Serialize(Envelope.Of(free), aspNet);

        await Assert.That(Written(free)).IsEqualTo(expected);
        await Assert.That(Written(cached)).IsEqualTo(expected);
        await Assert.That(Written(free with { Cached = new CachedSlots(serialized, 0, Slots.Length) })).IsEqualTo(expected);
        await Assert.That(Written(otherFlag)).IsEqualTo(JsonSerializer.Serialize(Envelope.Of(otherFlag), aspNet));
        await Assert.That(Written(lastOnly)).IsEqualTo(JsonSerializer.Serialize(Envelope.Of(lastOnly), aspNet));
        var none = new FreeTimeSlots([], stale, fetchedAt) { Cached = new CachedSlots(serialized, 2, 0) };
        await Assert.That(Written(none)).IsEqualTo(JsonSerializer.Serialize(Envelope.Of(none), aspNet));
        await Assert.That(Written(none with { Cached = null })).IsEqualTo(JsonSerializer.Serialize(Envelope.Of(none), aspNet));
        await Assert.That(expected).Contains("\"startTime\":\"2026-03-08T14:00:00Z\"");
    }

    [Test]
    [Arguments("gzip", true)]
    [Arguments("gzip, deflate, br, zstd", true)]
    [Arguments("br;q=1.0, GZIP;q=0.5", true)]
    [Arguments("x-gzip", true)]
    [Arguments("*", true)]
    [Arguments("br, *;q=0.1", true)]
    [Arguments("gzip;q=0", false)]
    [Arguments("gzip;q=0.1, identity", false)]
    [Arguments("identity;q=0.5, gzip;q=0.5", true)]
    [Arguments("x-gzip;q=0, gzip", true)]
    [Arguments("gzip;level=1;q=0", false)]
    [Arguments("gzip;q=abc", true)]
    [Arguments("gzip; q=0.000, br", false)]
    [Arguments("*;q=0.5, gzip;q=0", false)]
    [Arguments("*;q=0", false)]
    [Arguments("identity", false)]
    [Arguments("br, deflate", false)]
    [Arguments("gzipped", false)]
    [Arguments("", false)]
    [Arguments(",,;", false)]
    public async Task Gzip_is_sent_only_where_Accept_Encoding_admits_it(string acceptEncoding, bool accepted) =>
        await Assert.That(FreeTimesJson.AcceptsGzip(acceptEncoding)).IsEqualTo(accepted);

    [Test]
    public async Task The_gzipped_answer_is_the_same_bytes_made_once_and_a_small_one_is_not_compressed()
    {
        var fetchedAt = new DateTimeOffset(2026, 3, 7, 22, 15, 30, TimeSpan.Zero);
        var week = Enumerable.Range(0, 80).Select(i => Slots[0] with { StartTime = Slots[0].StartTime.AddMinutes(30 * i) }).ToArray();
        var serialized = SerializedSlots.Of(week);
        var answer = serialized.Answer(0, week.Length, false, fetchedAt);
        var otherWindow = serialized.Answer(1, week.Length - 1, false, fetchedAt);

        await Assert.That(answer.Gzip).IsNotNull();
        await Assert.That(answer.Gzip!.Length).IsLessThan(answer.Json.Length / 4);
        await Assert.That(Gzip.Decompress(answer.Gzip)).IsEqualTo(Encoding.UTF8.GetString(answer.Json));
        await Assert.That(SerializedSlots.Of(Slots).Answer(0, 1, false, fetchedAt).Gzip).IsNull();
        // Two windows sharing a snapshot in turn keep their answers, compressed once each.
        await Assert.That(serialized.Answer(0, week.Length, false, fetchedAt)).IsSameReferenceAs(answer);
        await Assert.That(serialized.Answer(1, week.Length - 1, false, fetchedAt)).IsSameReferenceAs(otherWindow);
        await Assert.That(answer.Gzip).IsSameReferenceAs(answer.Gzip);
    }

    private static string Written(FreeTimeSlots free)
    {
        var buffer = new ArrayBufferWriter<byte>();
        new FreeTimesJson(free).WriteTo(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
