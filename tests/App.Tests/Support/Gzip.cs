using System.IO.Compression;
using System.Text;

namespace App.Tests.Support;

public static class Gzip
{
    /// <summary>What a gzipped UTF-8 body says.</summary>
    public static string Decompress(byte[] gzip)
    {
        using var stream = new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
