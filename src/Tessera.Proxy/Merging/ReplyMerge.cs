using System.Buffers;
using System.Globalization;
using System.Text;
using Tessera.Proxy.Commands;
using Tessera.Resp.Protocol;
using Tessera.Resp.Servers;

namespace Tessera.Proxy.Merging;

/// <summary>
/// For MGET split over groups: where the client's i-th key went — which part, and its position among that
/// part's keys — so the values come back in the client's order.
/// </summary>
internal sealed class KeyPlacement
{
    private readonly int[] _part;
    private readonly int[] _position;

    public KeyPlacement(int keyCount)
    {
        _part = new int[keyCount];
        _position = new int[keyCount];
    }

    /// <summary>The number of keys the client named.</summary>
    public int Count => _part.Length;

    /// <summary>Records that the client's key number <paramref name="key"/> is the <paramref name="position"/>-th key of part <paramref name="part"/>.</summary>
    public void Place(int key, int part, int position)
    {
        _part[key] = part;
        _position[key] = position;
    }

    public (int Part, int Position) this[int key] => (_part[key], _position[key]);
}

/// <summary>
/// The merges of split commands' replies (<see cref="MergeKind"/>): pure functions from the parts' replies,
/// in part order, to the one reply the client gets — what redis-server would have answered had it held every
/// key. <see cref="SplitOperation"/> collects the parts; this decides the bytes.
/// </summary>
internal static class ReplyMerge
{
    /// <summary>
    /// Writes the merge of <paramref name="parts"/> (each one whole RESP reply, error replies included) to
    /// <paramref name="output"/>; returns null, or an error line (without "-"): for every merge but KILL's the first
    /// part that is an error, in part order, else a complaint when a part is not what the merge expects.
    /// <paramref name="keys"/> is needed by <see cref="MergeKind.ValuesInOrder"/>, <paramref name="infoPrefix"/> (the
    /// text before "# Keyspace") by <see cref="MergeKind.InfoKeyspace"/>.
    /// </summary>
    public static string? Merge(MergeKind merge, IReadOnlyList<ReadOnlyMemory<byte>> parts, IBufferWriter<byte> output, KeyPlacement? keys = null, string? infoPrefix = null) =>
        merge == MergeKind.Kill ? Kill(parts, output) : FirstError(parts) ?? MergeReplies(merge, parts, output, keys, infoPrefix);

    private static string? MergeReplies(MergeKind merge, IReadOnlyList<ReadOnlyMemory<byte>> parts, IBufferWriter<byte> output, KeyPlacement? keys, string? infoPrefix) => merge switch
    {
        MergeKind.ValuesInOrder => ValuesInOrder(parts, keys ?? throw new ArgumentNullException(nameof(keys)), output),
        MergeKind.AllOk => AllOk(parts, output),
        MergeKind.SumIntegers => SumIntegers(parts, output),
        MergeKind.InfoKeyspace => InfoKeyspace(parts, infoPrefix, output),
        MergeKind.UnionArrays => UnionArrays(parts, output),
        MergeKind.SumPairs => SumPairs(parts, output),
        MergeKind.MaxInteger => MaxInteger(parts, output),
        MergeKind.FirstReply => FirstReply(parts, output),
        MergeKind.AllFlags => AllFlags(parts, output),
        MergeKind.RandomNonNull => RandomNonNull(parts, output),
        _ => "ERR internal error: unknown merge",
    };

    /// <summary>
    /// SCRIPT KILL / FUNCTION KILL on every master, as one server with all their scripts would answer: +OK when any
    /// killed one; otherwise the first -UNKILLABLE (the script wrote), then the first -BUSY (the other kind of script
    /// runs: Redis names the KILL that stops it), then the first other error (a master that could not be asked may run
    /// one), and only when every master answered -NOTBUSY, that.
    /// </summary>
    private static string? Kill(IReadOnlyList<ReadOnlyMemory<byte>> parts, IBufferWriter<byte> output)
    {
        ReadOnlyMemory<byte>? unkillable = null, busy = null, other = null, notBusy = null;
        foreach (var part in parts)
        {
            var bytes = part.Span;
            if (bytes.SequenceEqual("+OK\r\n"u8))
            {
                RespWriter.WriteSimpleString(output, "OK"u8);
                return null;
            }

            if (bytes.IsEmpty || bytes[0] != (byte)'-')
            {
                return "ERR unexpected reply from a backend to a KILL: expected OK or an error";
            }

            if (bytes.StartsWith("-UNKILLABLE"u8))
            {
                unkillable ??= part;
            }
            else if (bytes.StartsWith("-BUSY"u8))
            {
                busy ??= part;
            }
            else if (bytes.StartsWith("-NOTBUSY"u8))
            {
                notBusy ??= part;
            }
            else
            {
                other ??= part;
            }
        }

        RespWriter.WriteRaw(output, (unkillable ?? busy ?? other ?? notBusy ?? "-NOTBUSY No scripts in execution right now.\r\n"u8.ToArray()).Span);
        return null;
    }

    /// <summary>The text of the first part that is an error reply (without "-" and the line end), or null.</summary>
    public static string? FirstError(IReadOnlyList<ReadOnlyMemory<byte>> parts)
    {
        foreach (var part in parts)
        {
            var bytes = part.Span;
            if (bytes.Length > 0 && bytes[0] == (byte)'-')
            {
                return Encoding.UTF8.GetString(bytes[1..^2]);
            }
        }

        return null;
    }

    private static string? ValuesInOrder(IReadOnlyList<ReadOnlyMemory<byte>> parts, KeyPlacement keys, IBufferWriter<byte> output)
    {
        // Find where each element of each part's array reply lies, then emit them in the client's order.
        var elements = new List<(int Offset, int Length)>[parts.Count];
        for (int p = 0; p < parts.Count; p++)
        {
            if (Elements(parts[p]) is not { } list)
            {
                return "ERR unexpected reply from a backend to a split MGET";
            }

            elements[p] = list;
        }

        RespWriter.WriteArrayHeader(output, keys.Count);
        for (int k = 0; k < keys.Count; k++)
        {
            var (part, position) = keys[k];
            var (offset, length) = elements[part][position];
            RespWriter.WriteRaw(output, parts[part].Span.Slice(offset, length));
        }

        return null;
    }

    /// <summary>Where each element of an array reply lies in the part's bytes; null when the reply is not an array.</summary>
    private static List<(int Offset, int Length)>? Elements(ReadOnlyMemory<byte> part)
    {
        var bytes = part.Span;
        if (bytes.Length == 0 || bytes[0] != (byte)'*')
        {
            return null;
        }

        int headerEnd = bytes.IndexOf((byte)'\n') + 1;
        int count = int.Parse(bytes[1..(headerEnd - 2)], CultureInfo.InvariantCulture);
        var list = new List<(int, int)>(Math.Max(count, 0));
        int offset = headerEnd;
        var state = default(ReplyScanState);
        for (int i = 0; i < count; i++)
        {
            if (ReplyScanner.TryScan(new ReadOnlySequence<byte>(part[offset..]), ref state, out long length) != ParseStatus.Complete)
            {
                return null;
            }

            list.Add((offset, (int)length));
            offset += (int)length;
        }

        return list;
    }

    private static string? UnionArrays(IReadOnlyList<ReadOnlyMemory<byte>> parts, IBufferWriter<byte> output)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var items = new List<byte[]>();
        foreach (var part in parts)
        {
            if (Elements(part) is not { } elements)
            {
                return "ERR unexpected reply from a backend: expected an array";
            }

            foreach (var (offset, length) in elements)
            {
                var element = part.Span.Slice(offset, length).ToArray();
                if (seen.Add(Encoding.Latin1.GetString(element)))
                {
                    items.Add(element);
                }
            }
        }

        RespWriter.WriteArrayHeader(output, items.Count);
        foreach (var item in items)
        {
            RespWriter.WriteRaw(output, item);
        }

        return null;
    }

    private static string? SumPairs(IReadOnlyList<ReadOnlyMemory<byte>> parts, IBufferWriter<byte> output)
    {
        var order = new List<string>();
        var sums = new Dictionary<string, (byte[] Name, long Sum)>(StringComparer.Ordinal);
        foreach (var part in parts)
        {
            if (Elements(part) is not { } elements || elements.Count % 2 != 0)
            {
                return "ERR unexpected reply from a backend: expected name/count pairs";
            }

            var bytes = part.Span;
            for (int i = 0; i < elements.Count; i += 2)
            {
                var name = bytes.Slice(elements[i].Offset, elements[i].Length).ToArray();
                var count = bytes.Slice(elements[i + 1].Offset, elements[i + 1].Length);
                long value = count.Length > 3 && count[0] == (byte)':' ? long.Parse(count[1..^2], CultureInfo.InvariantCulture) : 0;
                string key = Encoding.Latin1.GetString(name);
                if (sums.TryGetValue(key, out var existing))
                {
                    sums[key] = (existing.Name, existing.Sum + value);
                }
                else
                {
                    order.Add(key);
                    sums[key] = (name, value);
                }
            }
        }

        RespWriter.WriteArrayHeader(output, order.Count * 2);
        foreach (var key in order)
        {
            RespWriter.WriteRaw(output, sums[key].Name);
            RespWriter.WriteInteger(output, sums[key].Sum);
        }

        return null;
    }

    private static string? MaxInteger(IReadOnlyList<ReadOnlyMemory<byte>> parts, IBufferWriter<byte> output)
    {
        long max = 0;
        foreach (var part in parts)
        {
            if (Integer(part.Span) is not { } value)
            {
                return "ERR unexpected reply from a backend: expected an integer";
            }

            max = Math.Max(max, value);
        }

        RespWriter.WriteInteger(output, max);
        return null;
    }

    private static string? SumIntegers(IReadOnlyList<ReadOnlyMemory<byte>> parts, IBufferWriter<byte> output)
    {
        long sum = 0;
        foreach (var part in parts)
        {
            if (Integer(part.Span) is not { } value)
            {
                return "ERR unexpected reply from a backend to a split command: expected an integer";
            }

            sum += value;
        }

        RespWriter.WriteInteger(output, sum);
        return null;
    }

    /// <summary>The value of an integer reply (<c>:n\r\n</c>), or null when it is not one.</summary>
    private static long? Integer(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 4 && bytes[0] == (byte)':' && long.TryParse(bytes[1..^2], CultureInfo.InvariantCulture, out long value) ? value : null;

    private static string? RandomNonNull(IReadOnlyList<ReadOnlyMemory<byte>> parts, IBufferWriter<byte> output)
    {
        var candidates = parts.Where(static p => p.Length > 1 && p.Span[0] == (byte)'$' && p.Span[1] != (byte)'-').ToList();
        if (candidates.Count == 0)
        {
            RespWriter.WriteRaw(output, "$-1\r\n"u8);
            return null;
        }

        RespWriter.WriteRaw(output, candidates[Random.Shared.Next(candidates.Count)].Span);
        return null;
    }

    private static string? FirstReply(IReadOnlyList<ReadOnlyMemory<byte>> parts, IBufferWriter<byte> output)
    {
        RespWriter.WriteRaw(output, parts[0].Span);
        return null;
    }

    private static string? AllFlags(IReadOnlyList<ReadOnlyMemory<byte>> parts, IBufferWriter<byte> output)
    {
        int[]? flags = null;
        foreach (var part in parts)
        {
            if (Elements(part) is not { } elements || (flags is not null && flags.Length != elements.Count))
            {
                return "ERR unexpected reply from a backend: expected an array of flags";
            }

            flags ??= Enumerable.Repeat(1, elements.Count).ToArray();
            for (int i = 0; i < elements.Count; i++)
            {
                if (!part.Span.Slice(elements[i].Offset, elements[i].Length).SequenceEqual(":1\r\n"u8))
                {
                    flags[i] = 0;
                }
            }
        }

        RespWriter.WriteArrayHeader(output, flags!.Length);
        foreach (int flag in flags)
        {
            RespWriter.WriteInteger(output, flag);
        }

        return null;
    }

    private static string? AllOk(IReadOnlyList<ReadOnlyMemory<byte>> parts, IBufferWriter<byte> output)
    {
        foreach (var part in parts)
        {
            if (!part.Span.SequenceEqual("+OK\r\n"u8))
            {
                return "ERR unexpected reply from a backend to a split MSET";
            }
        }

        RespWriter.WriteSimpleString(output, "OK"u8);
        return null;
    }

    /// <summary>INFO keyspace over groups: db0's keys and expires summed, avg_ttl weighted by each group's expires.</summary>
    private static string? InfoKeyspace(IReadOnlyList<ReadOnlyMemory<byte>> parts, string? infoPrefix, IBufferWriter<byte> output)
    {
        long keys = 0, expires = 0, ttlWeighted = 0;
        foreach (var part in parts)
        {
            var bytes = part.Span;
            if (bytes.Length == 0 || bytes[0] != (byte)'$')
            {
                return "ERR unexpected reply from a backend to INFO keyspace";
            }

            int start = bytes.IndexOf((byte)'\n') + 1;
            if (ServerInfo.Parse(Encoding.UTF8.GetString(bytes[start..^2]))["db0"] is not { } db0)
            {
                continue;
            }

            long k = 0, e = 0, ttl = 0;
            foreach (var field in db0.Trim().Split(','))
            {
                var pair = field.Split('=');
                if (pair.Length != 2 || !long.TryParse(pair[1], CultureInfo.InvariantCulture, out long v))
                {
                    continue;
                }

                switch (pair[0])
                {
                    case "keys": k = v; break;
                    case "expires": e = v; break;
                    case "avg_ttl": ttl = v; break;
                }
            }

            keys += k;
            expires += e;
            ttlWeighted += ttl * e;
        }

        var info = new StringBuilder(infoPrefix);
        info.Append("# Keyspace\r\n");
        if (keys > 0)
        {
            info.Append(CultureInfo.InvariantCulture, $"db0:keys={keys},expires={expires},avg_ttl={(expires > 0 ? ttlWeighted / expires : 0)}\r\n");
        }

        RespWriter.WriteBulkString(output, info.ToString());
        return null;
    }
}
