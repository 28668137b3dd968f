namespace Tessera.Resp.Keys;

/// <summary>
/// Tessera's key → slot mapping: <c>crc32_ieee(tag(key)) % 1024</c>, where tag(key) is the bytes between
/// the first '{' and the next '}' when non-empty, otherwise the whole key (Redis Cluster's hash-tag rule).
/// </summary>
public static class KeySlot
{
    /// <summary>Slots per namespace.</summary>
    public const int Count = 1024;

    /// <summary>The slot of <paramref name="key"/>.</summary>
    public static int Of(ReadOnlySpan<byte> key) => throw new NotImplementedException();

    /// <summary>The part of <paramref name="key"/> that is hashed.</summary>
    public static ReadOnlySpan<byte> HashTag(ReadOnlySpan<byte> key) => throw new NotImplementedException();

    /// <summary>CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320), the same as zlib's crc32.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data) => throw new NotImplementedException();
}
