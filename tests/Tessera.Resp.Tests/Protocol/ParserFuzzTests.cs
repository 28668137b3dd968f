using System.Buffers;
using System.Text;
using Tessera.Resp.Protocol;

namespace Tessera.Resp.Tests.Protocol;

/// <summary>
/// Seeded random and mutated input for both parsers: they must never throw, must only answer
/// Incomplete/Complete/Error, and must give the same answer however the bytes are split.
/// </summary>
public class ParserFuzzTests
{
    private const int Rounds = 1500;

    private static readonly byte[] Interesting = Encoding.Latin1.GetBytes("*$+-:_,#!=(%~>|?\r\n \t\"'\\0123456789x{}");

    [Fact]
    public void Random_requests_parse_to_their_arguments_in_any_layout()
    {
        var random = new Random(11);
        for (int round = 0; round < Rounds; round++)
        {
            var stream = new List<byte>();
            var expected = new List<string>();
            int requests = random.Next(1, 5);
            for (int i = 0; i < requests; i++)
            {
                expected.Add(AppendRequest(stream, random));
            }

            var bytes = stream.ToArray();
            Assert.Equal(expected, Arguments(ParseDriver.Requests(bytes)));
            var layout = (Layout)random.Next(4);
            Assert.Equal(expected, Arguments(ParseDriver.Requests(bytes, random.Next(1, 20), layout, seed: round)));
        }
    }

    [Fact]
    public void Truncated_requests_are_incomplete()
    {
        var random = new Random(12);
        for (int round = 0; round < Rounds / 5; round++)
        {
            var stream = new List<byte>();
            AppendRequest(stream, random);
            var bytes = stream.ToArray();
            for (int length = 0; length < bytes.Length; length++)
            {
                var frame = new RequestFrame();
                var status = RequestParser.TryParse(new ReadOnlySequence<byte>(bytes, 0, length), frame, RespLimits.Default);
                Assert.Equal(ParseStatus.Incomplete, status);
            }
        }
    }

    [Fact]
    public void Mutated_requests_never_throw_and_do_not_depend_on_splits()
    {
        var random = new Random(13);
        var limits = new RespLimits { MaxBulkLength = 64, MaxArrayLength = 16, MaxRequestBytes = 300, MaxInlineLength = 80 };
        for (int round = 0; round < Rounds * 2; round++)
        {
            var stream = new List<byte>();
            int requests = random.Next(1, 4);
            for (int i = 0; i < requests; i++)
            {
                AppendRequest(stream, random);
            }

            var bytes = Mutate(stream, random);
            var whole = ParseDriver.Requests(bytes, limits);
            var layout = (Layout)random.Next(4);
            Assert.Equal(whole, ParseDriver.Requests(bytes, random.Next(1, 9), layout, limits, seed: round));
        }
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(14);
        for (int round = 0; round < Rounds * 2; round++)
        {
            var bytes = new byte[random.Next(0, 64)];
            for (int i = 0; i < bytes.Length; i++)
            {
                bytes[i] = random.Next(3) == 0 ? (byte)random.Next(256) : Interesting[random.Next(Interesting.Length)];
            }

            var requests = ParseDriver.Requests(bytes);
            Assert.Equal(requests, ParseDriver.Requests(bytes, 1, Layout.OneByteSegments));
            var replies = ParseDriver.Replies(bytes, bytes.Length == 0 ? 1 : bytes.Length, Layout.Contiguous);
            Assert.Equal(replies, ParseDriver.Replies(bytes, 1, (Layout)random.Next(4), seed: round));
        }
    }

    [Theory]
    [InlineData("*1\r\n$9999999999\r\n")]
    [InlineData("*2\r\n$3\r\nGET\r\n$9999999999\r\n")]
    [InlineData("*9999999999\r\n")]
    [InlineData("*1\r\n$99999999999999999999999\r\n")]
    public void Huge_declared_lengths_are_refused_at_once(string header)
    {
        var frame = new RequestFrame();
        var status = RequestParser.TryParse(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(header)), frame, RespLimits.Default);
        Assert.Equal(ParseStatus.Error, status);
        Assert.StartsWith("Protocol error: ", frame.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_replies_are_scanned_in_any_layout()
    {
        var random = new Random(21);
        for (int round = 0; round < Rounds; round++)
        {
            var stream = new List<byte>();
            var expected = new List<string>();
            int replies = random.Next(1, 4);
            for (int i = 0; i < replies; i++)
            {
                int start = stream.Count;
                AppendReply(stream, random, 0);
                expected.Add(Encoding.Latin1.GetString(stream.ToArray(), start, stream.Count - start));
            }

            var bytes = stream.ToArray();
            Assert.Equal(expected, ParseDriver.Replies(bytes, bytes.Length, Layout.Contiguous));
            Assert.Equal(expected, ParseDriver.Replies(bytes, random.Next(1, 20), (Layout)random.Next(4), seed: round));
        }
    }

    [Fact]
    public void Truncated_replies_are_incomplete()
    {
        var random = new Random(22);
        for (int round = 0; round < Rounds / 5; round++)
        {
            var stream = new List<byte>();
            AppendReply(stream, random, 0);
            var bytes = stream.ToArray();
            for (int length = 0; length < bytes.Length; length++)
            {
                var state = default(ReplyScanState);
                Assert.Equal(ParseStatus.Incomplete, ReplyScanner.TryScan(new ReadOnlySequence<byte>(bytes, 0, length), ref state, out _));
            }
        }
    }

    [Fact]
    public void Mutated_replies_never_throw_and_do_not_depend_on_splits()
    {
        var random = new Random(23);
        for (int round = 0; round < Rounds * 2; round++)
        {
            var stream = new List<byte>();
            int replies = random.Next(1, 4);
            for (int i = 0; i < replies; i++)
            {
                AppendReply(stream, random, 0);
            }

            var bytes = Mutate(stream, random);
            var whole = ParseDriver.Replies(bytes, Math.Max(1, bytes.Length), Layout.Contiguous);
            Assert.Equal(whole, ParseDriver.Replies(bytes, random.Next(1, 9), (Layout)random.Next(4), seed: round));
        }
    }

    private static List<string> Arguments(List<string> described) =>
        described.Select(d => d.Substring(d.IndexOf('[', StringComparison.Ordinal), d.IndexOf(']', StringComparison.Ordinal) - d.IndexOf('[', StringComparison.Ordinal) + 1)).ToList();

    /// <summary>Appends a valid request (a RESP array of binary arguments, or an inline line) and returns its arguments as "[a|b]".</summary>
    private static string AppendRequest(List<byte> stream, Random random)
    {
        if (random.Next(4) == 0)
        {
            int words = random.Next(1, 5);
            var parts = new List<string>();
            for (int i = 0; i < words; i++)
            {
                parts.Add(RandomWord(random, "abcdefghijklmnopqrstuvwxyz0123456789:{}", 1, 8));
            }

            Append(stream, (random.Next(2) == 0 ? " " : string.Empty) + string.Join(random.Next(2) == 0 ? " " : " \t ", parts) + (random.Next(2) == 0 ? "\r\n" : "\n"));
            return "[" + string.Join("|", parts) + "]";
        }

        int count = random.Next(1, 6);
        Append(stream, "*" + count + "\r\n");
        var args = new List<string>();
        for (int i = 0; i < count; i++)
        {
            var arg = RandomWord(random, "ab\r\n\0 *$x\u00ff", 0, 20);
            args.Add(arg);
            Append(stream, "$" + arg.Length + "\r\n" + arg + "\r\n");
        }

        return "[" + string.Join("|", args) + "]";
    }

    private static void AppendReply(List<byte> stream, Random random, int depth)
    {
        int kind = random.Next(depth >= 3 ? 13 : 19);
        switch (kind)
        {
            case 0: Append(stream, "+" + RandomWord(random, "OK abc", 0, 10) + "\r\n"); break;
            case 1: Append(stream, "-ERR " + RandomWord(random, "xyz ", 0, 40) + "\r\n"); break;
            case 2: Append(stream, ":" + random.NextInt64(long.MinValue, long.MaxValue) + "\r\n"); break;
            case 3:
            case 4:
                var payload = RandomWord(random, "ab\r\n\0$*", 0, 30);
                Append(stream, "$" + payload.Length + "\r\n" + payload + "\r\n");
                break;
            case 5: Append(stream, random.Next(2) == 0 ? "$-1\r\n" : "*-1\r\n"); break;
            case 6: Append(stream, "_\r\n"); break;
            case 7: Append(stream, "," + (random.NextDouble() * 1000).ToString("R", System.Globalization.CultureInfo.InvariantCulture) + "\r\n"); break;
            case 8: Append(stream, random.Next(2) == 0 ? "#t\r\n" : "#f\r\n"); break;
            case 9: Append(stream, "!9\r\nERR oops\n\r\n"); break;
            case 10: Append(stream, "=7\r\ntxt:abc\r\n"); break;
            case 11: Append(stream, "(" + RandomWord(random, "0123456789", 1, 50) + "\r\n"); break;
            case 12: Append(stream, "+" + new string('l', random.Next(30, 120)) + "\r\n"); break;
            default:
                char type = "*~>%|*"[kind - 13];
                int count = random.Next(0, 4);
                Append(stream, type + count.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\r\n");
                int values = type is '%' or '|' ? 2 * count : count;
                for (int i = 0; i < values; i++)
                {
                    AppendReply(stream, random, depth + 1);
                }

                if (type == '|')
                {
                    AppendReply(stream, random, depth + 1); // the value the attribute describes
                }

                break;
        }
    }

    /// <summary>A copy of <paramref name="stream"/> with a few random edits biased towards protocol characters.</summary>
    private static byte[] Mutate(List<byte> stream, Random random)
    {
        var bytes = new List<byte>(stream);
        int edits = random.Next(1, 4);
        for (int i = 0; i < edits; i++)
        {
            byte value = random.Next(2) == 0 ? (byte)random.Next(256) : Interesting[random.Next(Interesting.Length)];
            int at = random.Next(bytes.Count + 1);
            switch (random.Next(4))
            {
                case 0 when at < bytes.Count: bytes[at] = value; break;
                case 1: bytes.Insert(at, value); break;
                case 2 when at < bytes.Count: bytes.RemoveAt(at); break;
                default: bytes.RemoveRange(at, bytes.Count - at); break; // truncate
            }
        }

        return bytes.ToArray();
    }

    private static string RandomWord(Random random, string alphabet, int min, int max)
    {
        var chars = new char[random.Next(min, max + 1)];
        for (int i = 0; i < chars.Length; i++)
        {
            chars[i] = alphabet[random.Next(alphabet.Length)];
        }

        return new string(chars);
    }

    private static void Append(List<byte> stream, string text) => stream.AddRange(Encoding.Latin1.GetBytes(text));
}
