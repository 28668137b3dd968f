using System.Buffers;
using System.Globalization;
using System.Text;
using Tessera.Proxy.Backends;
using Tessera.Proxy.Commands;
using Tessera.Proxy.Replies;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Merging;

/// <summary>
/// A command split into parts, one per group (MGET/MSET/DEL... across groups, DBSIZE and INFO on
/// every group), whose replies are merged into the one reply the client expects. Parts complete on
/// backend threads in any order; the last one merges.
/// </summary>
internal sealed class SplitOperation
{
    private readonly Reply _parent;
    private readonly MergeKind _merge;
    private readonly Part[] _parts;
    private readonly string? _infoPrefix;
    private int _remaining;

    // MGET: for the client's i-th key, which part holds it and at which position.
    private readonly int[]? _keyPart;
    private readonly int[]? _keyPosition;

    public SplitOperation(Reply parent, MergeKind merge, int partCount, int keyCount, string? infoPrefix = null)
    {
        _parent = parent;
        _merge = merge;
        _infoPrefix = infoPrefix;
        _parts = new Part[partCount];
        for (int i = 0; i < partCount; i++)
        {
            _parts[i] = new Part(this);
        }

        _remaining = partCount;
        if (merge == MergeKind.ValuesInOrder)
        {
            _keyPart = new int[keyCount];
            _keyPosition = new int[keyCount];
        }
    }

    public BackendRequest PartRequest(int part) => _parts[part];

    /// <summary>Records that the client's key number <paramref name="key"/> is the <paramref name="position"/>-th key of part <paramref name="part"/>.</summary>
    public void MapKey(int key, int part, int position)
    {
        _keyPart![key] = part;
        _keyPosition![key] = position;
    }

    private void PartDone(FlushBatch batch)
    {
        if (Interlocked.Decrement(ref _remaining) != 0)
        {
            return;
        }

        var merged = new ArrayBufferWriter<byte>(256);
        string? error = FirstError() ?? Merge(merged);
        if (error is not null)
        {
            _parent.OnFailure(error, batch);
        }
        else
        {
            _parent.OnReply(new ReadOnlySequence<byte>(merged.WrittenMemory), batch);
        }

        foreach (var part in _parts)
        {
            part.Release();
        }
    }

    private string? FirstError()
    {
        foreach (var part in _parts)
        {
            if (part.Error is not null)
            {
                return part.Error;
            }

            if (part.Bytes.Length > 0 && part.Bytes[0] == (byte)'-')
            {
                return Encoding.UTF8.GetString(part.Bytes[1..^2]);
            }
        }

        return null;
    }

    private string? Merge(ArrayBufferWriter<byte> output) => _merge switch
    {
        MergeKind.ValuesInOrder => MergeValues(output),
        MergeKind.AllOk => MergeOk(output),
        MergeKind.SumIntegers => MergeSum(output),
        MergeKind.InfoKeyspace => MergeInfo(output),
        MergeKind.UnionArrays => MergeUnion(output),
        MergeKind.SumPairs => MergeSumPairs(output),
        MergeKind.MaxInteger => MergeMax(output),
        MergeKind.FirstReply => MergeFirst(output),
        MergeKind.AllFlags => MergeAllFlags(output),
        MergeKind.RandomNonNull => MergeRandom(output),
        _ => "ERR internal error: unknown merge",
    };

    private string? MergeValues(ArrayBufferWriter<byte> output)
    {
        // Find where each element of each part's array reply lies, then emit them in the client's order.
        var elements = new List<(int Offset, int Length)>[_parts.Length];
        for (int p = 0; p < _parts.Length; p++)
        {
            if (Elements(_parts[p]) is not { } list)
            {
                return "ERR unexpected reply from a backend to a split MGET";
            }

            elements[p] = list;
        }

        RespWriter.WriteArrayHeader(output, _keyPart!.Length);
        for (int k = 0; k < _keyPart.Length; k++)
        {
            var part = _parts[_keyPart[k]];
            var (offset, length) = elements[_keyPart[k]][_keyPosition![k]];
            RespWriter.WriteRaw(output, part.Bytes.Slice(offset, length));
        }

        return null;
    }

    /// <summary>Where each element of an array reply lies in the part's bytes; null when the reply is not an array.</summary>
    private static List<(int Offset, int Length)>? Elements(Part part)
    {
        var bytes = part.Bytes;
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
            var rest = new ReadOnlySequence<byte>(part.Array!, offset, bytes.Length - offset);
            if (ReplyScanner.TryScan(rest, ref state, out long length) != ParseStatus.Complete)
            {
                return null;
            }

            list.Add((offset, (int)length));
            offset += (int)length;
        }

        return list;
    }

    private string? MergeUnion(ArrayBufferWriter<byte> output)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var items = new List<byte[]>();
        foreach (var part in _parts)
        {
            if (Elements(part) is not { } elements)
            {
                return "ERR unexpected reply from a backend: expected an array";
            }

            foreach (var (offset, length) in elements)
            {
                var element = part.Bytes.Slice(offset, length).ToArray();
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

    private string? MergeSumPairs(ArrayBufferWriter<byte> output)
    {
        var order = new List<string>();
        var sums = new Dictionary<string, (byte[] Name, long Sum)>(StringComparer.Ordinal);
        foreach (var part in _parts)
        {
            if (Elements(part) is not { } elements || elements.Count % 2 != 0)
            {
                return "ERR unexpected reply from a backend: expected name/count pairs";
            }

            for (int i = 0; i < elements.Count; i += 2)
            {
                var name = part.Bytes.Slice(elements[i].Offset, elements[i].Length).ToArray();
                var count = part.Bytes.Slice(elements[i + 1].Offset, elements[i + 1].Length);
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

    private string? MergeMax(ArrayBufferWriter<byte> output)
    {
        long max = 0;
        foreach (var part in _parts)
        {
            var bytes = part.Bytes;
            if (bytes.Length < 4 || bytes[0] != (byte)':' || !long.TryParse(bytes[1..^2], CultureInfo.InvariantCulture, out long value))
            {
                return "ERR unexpected reply from a backend: expected an integer";
            }

            max = Math.Max(max, value);
        }

        RespWriter.WriteInteger(output, max);
        return null;
    }

    private string? MergeRandom(ArrayBufferWriter<byte> output)
    {
        var candidates = _parts.Where(p => p.Bytes.Length > 0 && p.Bytes[0] == (byte)'$' && p.Bytes[1] != (byte)'-').ToList();
        if (candidates.Count == 0)
        {
            RespWriter.WriteRaw(output, "$-1\r\n"u8);
            return null;
        }

        RespWriter.WriteRaw(output, candidates[Random.Shared.Next(candidates.Count)].Bytes);
        return null;
    }

    private string? MergeFirst(ArrayBufferWriter<byte> output)
    {
        RespWriter.WriteRaw(output, _parts[0].Bytes);
        return null;
    }

    private string? MergeAllFlags(ArrayBufferWriter<byte> output)
    {
        int[]? flags = null;
        foreach (var part in _parts)
        {
            if (Elements(part) is not { } elements || (flags is not null && flags.Length != elements.Count))
            {
                return "ERR unexpected reply from a backend: expected an array of flags";
            }

            flags ??= Enumerable.Repeat(1, elements.Count).ToArray();
            for (int i = 0; i < elements.Count; i++)
            {
                if (!part.Bytes.Slice(elements[i].Offset, elements[i].Length).SequenceEqual(":1\r\n"u8))
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

    private string? MergeOk(ArrayBufferWriter<byte> output)
    {
        foreach (var part in _parts)
        {
            if (!part.Bytes.SequenceEqual("+OK\r\n"u8))
            {
                return "ERR unexpected reply from a backend to a split MSET";
            }
        }

        RespWriter.WriteSimpleString(output, "OK"u8);
        return null;
    }

    private string? MergeSum(ArrayBufferWriter<byte> output)
    {
        long sum = 0;
        foreach (var part in _parts)
        {
            var bytes = part.Bytes;
            if (bytes.Length < 4 || bytes[0] != (byte)':' || !long.TryParse(bytes[1..^2], CultureInfo.InvariantCulture, out long value))
            {
                return "ERR unexpected reply from a backend to a split command: expected an integer";
            }

            sum += value;
        }

        RespWriter.WriteInteger(output, sum);
        return null;
    }

    private string? MergeInfo(ArrayBufferWriter<byte> output)
    {
        long keys = 0, expires = 0, ttlWeighted = 0;
        foreach (var part in _parts)
        {
            var bytes = part.Bytes;
            if (bytes.Length == 0 || bytes[0] != (byte)'$')
            {
                return "ERR unexpected reply from a backend to INFO keyspace";
            }

            int start = bytes.IndexOf((byte)'\n') + 1;
            var text = Encoding.UTF8.GetString(bytes[start..^2]);
            foreach (var line in text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!line.StartsWith("db0:", StringComparison.Ordinal))
                {
                    continue;
                }

                long k = 0, e = 0, ttl = 0;
                foreach (var field in line[4..].Split(','))
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
        }

        var info = new StringBuilder(_infoPrefix);
        info.Append("# Keyspace\r\n");
        if (keys > 0)
        {
            info.Append(CultureInfo.InvariantCulture, $"db0:keys={keys},expires={expires},avg_ttl={(expires > 0 ? ttlWeighted / expires : 0)}\r\n");
        }

        RespWriter.WriteBulkString(output, info.ToString());
        return null;
    }

    /// <summary>One part's reply, copied out of the backend's buffer.</summary>
    private sealed class Part : BackendRequest
    {
        private readonly SplitOperation _operation;
        private int _length;

        public Part(SplitOperation operation) => _operation = operation;

        public byte[]? Array { get; private set; }

        public string? Error { get; private set; }

        public ReadOnlySpan<byte> Bytes => Array is null ? default : Array.AsSpan(0, _length);

        public override void OnReply(in ReadOnlySequence<byte> reply, FlushBatch batch)
        {
            _length = checked((int)reply.Length);
            Array = ArrayPool<byte>.Shared.Rent(Math.Max(_length, 16));
            reply.CopyTo(Array);
            _operation.PartDone(batch);
        }

        public override void OnFailure(string error, FlushBatch batch)
        {
            Error = error;
            _operation.PartDone(batch);
        }

        public void Release()
        {
            if (Array is not null)
            {
                ArrayPool<byte>.Shared.Return(Array);
                Array = null;
            }
        }
    }
}
