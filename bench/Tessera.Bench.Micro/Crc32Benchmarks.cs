using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Tessera.Resp.Keys;

namespace Tessera.Bench.Micro;

/// <summary>
/// CRC-32 of keys of 1–200 bytes: the hand-written slicing-by-8 table (<see cref="KeySlot.TableCrc32"/>) against
/// System.IO.Hashing.Crc32, alone and inside the whole slot computation (hash-tag search, CRC, modulo 1024) as
/// <see cref="KeySlot.Of"/> does it; and <see cref="KeySlot.Of"/> itself, which uses the table below 16 bytes and
/// System.IO.Hashing from 16 bytes on.
/// </summary>
/// <remarks>
/// Each invocation hashes <see cref="KeysPerInvoke"/> different keys of the same length (no '{', so the tag search
/// scans the whole key, as it does for most keys), so the figures are per key and the loop's cost is spread thin.
/// </remarks>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[MedianColumn]
public class Crc32Benchmarks
{
    private const int KeysPerInvoke = 32;

    private byte[][] _keys = [];

    [Params(1, 4, 8, 12, 15, 16, 32, 64, 100, 200)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_-.";
        _keys = new byte[KeysPerInvoke][];
        for (int k = 0; k < KeysPerInvoke; k++)
        {
            var key = new byte[Length];
            for (int i = 0; i < key.Length; i++)
            {
                key[i] = (byte)alphabet[random.Next(alphabet.Length)];
            }

            _keys[k] = key;
        }

        foreach (var key in _keys)
        {
            if (KeySlot.TableCrc32(key) != System.IO.Hashing.Crc32.HashToUInt32(key))
            {
                throw new InvalidOperationException("The two CRC-32 implementations disagree.");
            }
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = KeysPerInvoke)]
    [BenchmarkCategory("crc")]
    public uint Crc_Table()
    {
        uint sum = 0;
        foreach (var key in _keys)
        {
            sum += KeySlot.TableCrc32(key);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = KeysPerInvoke)]
    [BenchmarkCategory("crc")]
    public uint Crc_SystemIOHashing()
    {
        uint sum = 0;
        foreach (var key in _keys)
        {
            sum += System.IO.Hashing.Crc32.HashToUInt32(key);
        }

        return sum;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = KeysPerInvoke)]
    [BenchmarkCategory("slot")]
    public int Slot_Table()
    {
        int sum = 0;
        foreach (var key in _keys)
        {
            sum += (int)(KeySlot.TableCrc32(KeySlot.HashTag(key)) & (KeySlot.Count - 1));
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = KeysPerInvoke)]
    [BenchmarkCategory("slot")]
    public int Slot_SystemIOHashing()
    {
        int sum = 0;
        foreach (var key in _keys)
        {
            sum += (int)(System.IO.Hashing.Crc32.HashToUInt32(KeySlot.HashTag(key)) & (KeySlot.Count - 1));
        }

        return sum;
    }

    /// <summary>What the proxy calls: KeySlot.Of (table below 16 bytes, System.IO.Hashing from 16 on).</summary>
    [Benchmark(OperationsPerInvoke = KeysPerInvoke)]
    [BenchmarkCategory("slot")]
    public int Slot_KeySlotOf()
    {
        int sum = 0;
        foreach (var key in _keys)
        {
            sum += KeySlot.Of(key);
        }

        return sum;
    }
}
