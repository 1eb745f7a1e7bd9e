using System.Security.Cryptography;
using System.Text;

namespace Calendly.Simulator.World;

/// <summary>
/// UUIDs for new resources. Seeded ids are a hash of the seed and a stable key (e.g. "user:casey-rivera"), so an id does
/// not depend on the order things are generated in, nor on today's date: tests and docs can name them.
/// </summary>
public sealed class IdSource
{
    private readonly int? _seed;

    private IdSource(int? seed) => _seed = seed;

    public static IdSource Random { get; } = new(null);

    public static IdSource Seeded(int seed) => new(seed);

    public string For(string key)
    {
        if (_seed is null) return Guid.NewGuid().ToString();
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes($"{_seed}:{key}")).AsSpan(0, 16).ToArray();
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4, as Calendly's own uuids are
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes).ToString();
    }
}
