namespace Tessera.Resp.Keys;

/// <summary>
/// Redis Cluster's key → slot mapping, <c>crc16_xmodem(tag(key)) % 16384</c> (the same hash-tag rule as
/// <see cref="KeySlot"/>): what cluster-aware clients compute, answered by CLUSTER KEYSLOT on the proxy's cluster face.
/// Tessera itself routes by <see cref="KeySlot"/>; the two agree on which keys share a slot only through hash tags.
/// </summary>
public static class ClusterKeySlot
{
    /// <summary>Slots of a Redis Cluster.</summary>
    public const int Count = 16384;

    private static readonly ushort[] Table = BuildTable();

    /// <summary>The Redis Cluster slot of <paramref name="key"/>.</summary>
    public static int Of(ReadOnlySpan<byte> key) => Crc16(KeySlot.HashTag(key)) & (Count - 1);

    /// <summary>CRC-16/XMODEM (poly 0x1021, initial 0, not reflected), as redis-server's crc16.c.</summary>
    public static int Crc16(ReadOnlySpan<byte> data)
    {
        ushort crc = 0;
        foreach (byte b in data)
        {
            crc = (ushort)((crc << 8) ^ Table[((crc >> 8) ^ b) & 0xFF]);
        }

        return crc;
    }

    private static ushort[] BuildTable()
    {
        var table = new ushort[256];
        for (int i = 0; i < 256; i++)
        {
            int crc = i << 8;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }

            table[i] = (ushort)crc;
        }

        return table;
    }
}
