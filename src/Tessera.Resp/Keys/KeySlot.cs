using System.Buffers.Binary;
using IoCrc32 = System.IO.Hashing.Crc32;

namespace Tessera.Resp.Keys;

/// <summary>
/// Tessera's key → slot mapping: <c>crc32_ieee(tag(key)) % 1024</c>, where tag(key) is the bytes between
/// the first '{' and the next '}' when non-empty, otherwise the whole key (Redis Cluster's hash-tag rule).
/// </summary>
public static class KeySlot
{
    /// <summary>Slots per namespace.</summary>
    public const int Count = 1024;

    // Eight 256-entry tables, one after another: table k gives the CRC contribution of a byte followed by k zero bytes.
    private static readonly uint[] Tables = BuildTables();

    /// <summary>The slot of <paramref name="key"/>.</summary>
    public static int Of(ReadOnlySpan<byte> key) => (int)(Crc32(HashTag(key)) & (Count - 1));

    /// <summary>The part of <paramref name="key"/> that is hashed.</summary>
    public static ReadOnlySpan<byte> HashTag(ReadOnlySpan<byte> key)
    {
        int open = key.IndexOf((byte)'{');
        if (open < 0)
        {
            return key;
        }

        int close = key.Slice(open + 1).IndexOf((byte)'}');
        return close > 0 ? key.Slice(open + 1, close) : key;
    }

    /// <summary>CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320), the same as zlib's crc32.</summary>
    /// <remarks>
    /// <para>
    /// Keys of 16 bytes or more go to <see cref="IoCrc32"/> (System.IO.Hashing), which folds 16 bytes at a time with
    /// carry-less multiplication (PCLMULQDQ on x64, PMULL on Arm). Below 16 bytes it does not vectorise: on x64 it
    /// falls back to a byte-at-a-time table loop, which is up to twice as slow as our slicing-by-8 table for 8–15 byte
    /// keys (such as <c>user:1000</c>), so shorter keys stay on <see cref="TableCrc32"/>.
    /// </para>
    /// <para>
    /// Measured with bench/Tessera.Bench.Micro (docs/benchmarks.md, "Micro-benchmarks: CRC-32 and the slot"), .NET 10
    /// on the 2-core x64 reference machine, ns per key, table / System.IO.Hashing:
    /// 1 B 1.8 / 2.2, 4 B 4.6 / 3.7, 8 B 3.8 / 7.7, 12 B 6.6 / 13.5, 15 B 9.3 / 18.7, 16 B 6.4 / 4.4, 32 B 13.4 / 5.4,
    /// 64 B 27.8 / 7.2, 100 B 52.7 / 13.2, 200 B 111.0 / 21.2. Neither alone is at least as fast at every length
    /// (the 1 B and 4 B differences are within one nanosecond and swap between runs); this split is, at the cost of
    /// one length check.
    /// </para>
    /// </remarks>
    public static uint Crc32(ReadOnlySpan<byte> data) =>
        data.Length < VectorisedFrom ? TableCrc32(data) : IoCrc32.HashToUInt32(data);

    /// <summary>The length from which <see cref="IoCrc32"/> vectorises (one <c>Vector128&lt;byte&gt;</c>).</summary>
    internal const int VectorisedFrom = 16;

    /// <summary>
    /// CRC-32 by "slicing-by-8": eight independent lookups per 8 input bytes, several times faster than the classic
    /// byte-at-a-time table loop, which still handles the last 0–7 bytes. Used for keys under
    /// <see cref="VectorisedFrom"/> bytes; internal so that the tests and the micro-benchmark can compare it at any length.
    /// </summary>
    internal static uint TableCrc32(ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<uint> t = Tables;
        uint crc = 0xFFFFFFFFu;
        while (data.Length >= 8)
        {
            uint low = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ crc;
            uint high = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(4));
            crc = t[(7 * 256) + (int)(low & 0xFF)]
                ^ t[(6 * 256) + (int)((low >> 8) & 0xFF)]
                ^ t[(5 * 256) + (int)((low >> 16) & 0xFF)]
                ^ t[(4 * 256) + (int)(low >> 24)]
                ^ t[(3 * 256) + (int)(high & 0xFF)]
                ^ t[(2 * 256) + (int)((high >> 8) & 0xFF)]
                ^ t[256 + (int)((high >> 16) & 0xFF)]
                ^ t[(int)(high >> 24)];
            data = data.Slice(8);
        }

        foreach (byte b in data)
        {
            crc = t[(int)((crc ^ b) & 0xFF)] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] BuildTables()
    {
        var tables = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
        {
            uint crc = i;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }

            tables[i] = crc;
        }

        for (int k = 1; k < 8; k++)
        {
            for (int i = 0; i < 256; i++)
            {
                uint previous = tables[((k - 1) * 256) + i];
                tables[(k * 256) + i] = (previous >> 8) ^ tables[previous & 0xFF];
            }
        }

        return tables;
    }
}
