using System.Text;
using Tessera.Resp.Keys;

namespace Tessera.Resp.Tests.Keys;

public class KeySlotTests
{
    // Expected values computed with Python's zlib.crc32.
    [Theory]
    [InlineData("", 0x00000000u)]
    [InlineData("a", 0xE8B7BE43u)]
    [InlineData("foo", 0x8C736521u)]
    [InlineData("123456789", 0xCBF43926u)]
    [InlineData("user:1000", 0x9F7417E3u)]
    [InlineData("The quick brown fox jumps over the lazy dog", 0x414FA339u)]
    public void Crc32_matches_zlib(string text, uint expected)
    {
        Assert.Equal(expected, KeySlot.Crc32(Encoding.ASCII.GetBytes(text)));
    }

    [Fact]
    public void Crc32_matches_zlib_on_binary_data()
    {
        Assert.Equal(0x64E51F17u, KeySlot.Crc32([0x00, 0xFF, 0x80, 0x7F]));

        var all = new byte[256];
        for (int i = 0; i < all.Length; i++)
        {
            all[i] = (byte)i;
        }

        Assert.Equal(0x29058C73u, KeySlot.Crc32(all));

        // 1 KB key: bytes (i * 31 + 7) % 256.
        var large = new byte[1024];
        for (int i = 0; i < large.Length; i++)
        {
            large[i] = (byte)(((i * 31) + 7) % 256);
        }

        Assert.Equal(0x7C321B5Du, KeySlot.Crc32(large));
    }

    [Fact]
    public void Crc32_agrees_with_a_bitwise_reference_at_every_length_and_alignment()
    {
        var random = new Random(5);
        var data = new byte[300];
        random.NextBytes(data);
        for (int start = 0; start < 9; start++)
        {
            for (int length = 0; length + start <= data.Length; length += 1 + (length / 16))
            {
                var slice = data.AsSpan(start, length);
                Assert.Equal(BitwiseCrc32(slice), KeySlot.Crc32(slice));
                // Both implementations KeySlot.Crc32 chooses between, at every length (not only the one it picks).
                Assert.Equal(BitwiseCrc32(slice), KeySlot.TableCrc32(slice));
                Assert.Equal(BitwiseCrc32(slice), System.IO.Hashing.Crc32.HashToUInt32(slice));
            }
        }
    }

    [Theory]
    [InlineData("foo", 289)]
    [InlineData("123456789", 294)]
    [InlineData("user:1000", 995)]
    [InlineData("a", 579)]
    [InlineData("", 0)]
    public void Slot_is_crc32_modulo_1024(string key, int slot)
    {
        Assert.Equal(slot, KeySlot.Of(Encoding.ASCII.GetBytes(key)));
    }

    [Theory]
    [InlineData("{user1000}.following", "user1000", 870)]
    [InlineData("{user1000}.followers", "user1000", 870)]
    [InlineData("foo{}{bar}", "foo{}{bar}", 857)]
    [InlineData("foo{{bar}}zap", "{bar", 313)]
    [InlineData("foo{bar}{zap}", "bar", 170)]
    [InlineData("{}", "{}", 835)]
    [InlineData("{", "{", 825)]
    [InlineData("}{a}", "a", 579)]
    [InlineData("abc{def", "abc{def", 13)]
    public void Hash_tags_follow_redis_cluster(string key, string tag, int slot)
    {
        var bytes = Encoding.ASCII.GetBytes(key);
        Assert.Equal(tag, Encoding.ASCII.GetString(KeySlot.HashTag(bytes)));
        Assert.Equal(slot, KeySlot.Of(bytes));
    }

    [Fact]
    public void Keys_with_the_same_tag_share_a_slot()
    {
        Assert.Equal(KeySlot.Of("{user1000}.following"u8), KeySlot.Of("{user1000}.followers"u8));
        Assert.Equal(KeySlot.Of("user1000"u8), KeySlot.Of("x{user1000}y"u8));
    }

    [Fact]
    public void Slots_are_in_range_and_spread()
    {
        var seen = new HashSet<int>();
        for (int i = 0; i < 20_000; i++)
        {
            int slot = KeySlot.Of(Encoding.ASCII.GetBytes("key:" + i));
            Assert.InRange(slot, 0, KeySlot.Count - 1);
            seen.Add(slot);
        }

        Assert.Equal(KeySlot.Count, seen.Count);
    }

    private static uint BitwiseCrc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            }
        }

        return ~crc;
    }
}
