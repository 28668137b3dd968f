using System.Buffers.Binary;

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
    /// Written by hand because System.IO.Hashing (which has a vectorised Crc32) is not available to us. Uses
    /// "slicing-by-8": eight lookups per 8 input bytes with no dependency between them, several times faster than
    /// the classic byte-at-a-time table loop, which still handles the last 0–7 bytes.
    /// </remarks>
    public static uint Crc32(ReadOnlySpan<byte> data)
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
