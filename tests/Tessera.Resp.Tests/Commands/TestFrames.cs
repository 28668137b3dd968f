using System.Buffers;
using System.Text;
using Tessera.Resp.Protocol;

using Tessera.Resp.Tests.Protocol;

namespace Tessera.Resp.Tests.Commands;

/// <summary>Builds <see cref="RequestFrame"/>s over RESP-encoded bytes, the way the parser lays them out.</summary>
internal static class TestFrames
{
    public static RequestFrame Create(params string[] args) => Create(segmented: false, args);

    /// <summary>With <paramref name="segmented"/>, every byte is its own buffer segment, as after many small socket reads.</summary>
    public static RequestFrame Create(bool segmented, params string[] args)
    {
        var encoded = new List<byte>();
        var offsets = new long[args.Length];
        var lengths = new int[args.Length];
        encoded.AddRange(Encoding.ASCII.GetBytes($"*{args.Length}\r\n"));
        for (int i = 0; i < args.Length; i++)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(args[i]);
            encoded.AddRange(Encoding.ASCII.GetBytes($"${bytes.Length}\r\n"));
            offsets[i] = encoded.Count;
            lengths[i] = bytes.Length;
            encoded.AddRange(bytes);
            encoded.AddRange("\r\n"u8.ToArray());
        }

        var frame = new RequestFrame();
        frame.Begin(args.Length);
        for (int i = 0; i < args.Length; i++)
        {
            frame.SetArg(i, offsets[i], lengths[i]);
        }

        frame.Data = segmented ? SegmentedSequence.PerByte([.. encoded]) : new ReadOnlySequence<byte>([.. encoded]);
        frame.ConsumedLength = encoded.Count;
        return frame;
    }

    /// <summary>The key indexes <see cref="Tessera.Resp.Commands.KeyExtractor"/> finds, or null for -1.</summary>
    public static int[]? Keys(Tessera.Resp.Commands.CommandTable table, params string[] args) => Keys(table, segmented: false, args);

    public static int[]? Keys(Tessera.Resp.Commands.CommandTable table, bool segmented, params string[] args)
    {
        var frame = Create(segmented, args);
        var spec = table.Resolve(frame) ?? throw new InvalidOperationException($"Unknown command {args[0]}");
        var destination = new int[frame.Count];
        int count = Tessera.Resp.Commands.KeyExtractor.GetKeyIndexes(spec, frame, destination);
        return count < 0 ? null : destination[..count];
    }
}
