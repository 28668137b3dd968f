using System.Buffers;
using System.Buffers.Text;

namespace Tessera.Resp.Protocol;

/// <summary>Inline commands: "SET k v\r\n" as typed into telnet, split with Redis's sdssplitargs rules.</summary>
public static partial class RequestParser
{
    private const string TooBigInline = "Protocol error: too big inline request";
    private const string UnbalancedQuotes = "Protocol error: unbalanced quotes in request";

    /// <summary>
    /// Finds the end of the line, splits it into words and re-encodes them as a RESP array in the frame's
    /// inline buffer, so the rest of the proxy only ever sees (and forwards) RESP arrays.
    /// </summary>
    private static ParseStatus ParseInline(in ReadOnlySequence<byte> input, RequestFrame frame, RespLimits limits)
    {
        // Scanned counts the bytes already searched for the newline by earlier calls.
        long newline;
        if (input.IsSingleSegment)
        {
            int index = input.FirstSpan.Slice((int)frame.Scanned).IndexOf((byte)'\n');
            newline = index < 0 ? -1 : frame.Scanned + index;
        }
        else
        {
            ReadOnlySequence<byte> rest = input.Slice(frame.Scanned);
            SequencePosition? found = rest.PositionOf((byte)'\n');
            newline = found is null ? -1 : frame.Scanned + rest.Slice(0, found.Value).Length;
        }

        if (newline < 0)
        {
            if (input.Length > limits.MaxInlineLength)
            {
                return FailInline(frame, TooBigInline);
            }

            frame.Scanned = input.Length;
            return ParseStatus.Incomplete;
        }

        // Refuse a long line whether it arrived whole or in pieces, so the outcome does not depend on read sizes.
        if (newline > limits.MaxInlineLength)
        {
            return FailInline(frame, TooBigInline);
        }

        int length = (int)newline;
        if (frame.LineBuffer.Length < length)
        {
            frame.LineBuffer = new byte[Math.Max(length, frame.LineBuffer.Length * 2)];
        }

        Span<byte> line = frame.LineBuffer.AsSpan(0, length);
        input.Slice(0, length).CopyTo(line);
        if (length > 0 && line[length - 1] == (byte)'\r')
        {
            line = line.Slice(0, length - 1);
        }

        // sdssplitargs works on a C string: a NUL byte ends the line.
        int nul = line.IndexOf((byte)0);
        if (nul >= 0)
        {
            line = line.Slice(0, nul);
        }

        int count = SplitArgs(line, frame);
        if (count < 0)
        {
            return FailInline(frame, UnbalancedQuotes);
        }

        if (count > limits.MaxArrayLength)
        {
            return FailInline(frame, "Protocol error: too many arguments in inline request (proxy max-array-length)");
        }

        Encode(frame, count);
        frame.Count = count;
        frame.ConsumedLength = newline + 1;
        frame.IsInline = true;
        frame.InProgress = false;
        return ParseStatus.Complete;
    }

    /// <summary>
    /// Splits <paramref name="line"/> into words in place (unquoting can only shrink them) and records each word's
    /// offset and length in the frame. Returns the word count, or -1 for unbalanced quotes. Follows Redis's
    /// sdssplitargs: blanks separate words; "double quotes" understand \n \r \t \b \a \xHH and \ before any other
    /// character; 'single quotes' understand \'; a closing quote must be followed by a blank or the end.
    /// </summary>
    private static int SplitArgs(Span<byte> line, RequestFrame frame)
    {
        int p = 0;
        int w = 0;
        int count = 0;
        int n = line.Length;
        while (true)
        {
            while (p < n && IsSpace(line[p]))
            {
                p++;
            }

            if (p == n)
            {
                return count;
            }

            int start = w;
            bool inDouble = false;
            bool inSingle = false;
            while (true)
            {
                if (inDouble)
                {
                    if (p == n)
                    {
                        return -1;
                    }

                    byte c = line[p];
                    if (c == (byte)'\\' && p + 3 < n && line[p + 1] == (byte)'x' && IsHex(line[p + 2]) && IsHex(line[p + 3]))
                    {
                        line[w++] = (byte)((HexValue(line[p + 2]) << 4) | HexValue(line[p + 3]));
                        p += 4;
                    }
                    else if (c == (byte)'\\' && p + 1 < n)
                    {
                        line[w++] = line[p + 1] switch
                        {
                            (byte)'n' => (byte)'\n',
                            (byte)'r' => (byte)'\r',
                            (byte)'t' => (byte)'\t',
                            (byte)'b' => (byte)'\b',
                            (byte)'a' => (byte)'\a',
                            var other => other,
                        };
                        p += 2;
                    }
                    else if (c == (byte)'"')
                    {
                        if (p + 1 < n && !IsSpace(line[p + 1]))
                        {
                            return -1;
                        }

                        p++;
                        break;
                    }
                    else
                    {
                        line[w++] = c;
                        p++;
                    }
                }
                else if (inSingle)
                {
                    if (p == n)
                    {
                        return -1;
                    }

                    byte c = line[p];
                    if (c == (byte)'\\' && p + 1 < n && line[p + 1] == (byte)'\'')
                    {
                        line[w++] = (byte)'\'';
                        p += 2;
                    }
                    else if (c == (byte)'\'')
                    {
                        if (p + 1 < n && !IsSpace(line[p + 1]))
                        {
                            return -1;
                        }

                        p++;
                        break;
                    }
                    else
                    {
                        line[w++] = c;
                        p++;
                    }
                }
                else
                {
                    if (p == n)
                    {
                        break;
                    }

                    byte c = line[p++];
                    if (c is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
                    {
                        break;
                    }

                    if (c == (byte)'"')
                    {
                        inDouble = true;
                    }
                    else if (c == (byte)'\'')
                    {
                        inSingle = true;
                    }
                    else
                    {
                        line[w++] = c;
                    }
                }
            }

            frame.SetArg(count++, start, w - start);
        }
    }

    /// <summary>Writes the words recorded by <see cref="SplitArgs"/> as a RESP array into the frame's inline buffer.</summary>
    private static void Encode(RequestFrame frame, int count)
    {
        if (count == 0)
        {
            frame.Data = default;
            return;
        }

        long size = HeaderSize(count);
        for (int i = 0; i < count; i++)
        {
            int length = frame.ArgLength(i);
            size += HeaderSize(length) + length + 2;
        }

        if (frame.InlineBuffer.Length < size)
        {
            frame.InlineBuffer = new byte[Math.Max(size, frame.InlineBuffer.Length * 2)];
        }

        Span<byte> output = frame.InlineBuffer;
        ReadOnlySpan<byte> words = frame.LineBuffer;
        int pos = WriteHeader(output, (byte)'*', count);
        for (int i = 0; i < count; i++)
        {
            int start = (int)frame.ArgOffset(i);
            int length = frame.ArgLength(i);
            pos += WriteHeader(output.Slice(pos), (byte)'$', length);
            words.Slice(start, length).CopyTo(output.Slice(pos));
            frame.SetArg(i, pos, length);
            pos += length;
            output[pos++] = (byte)'\r';
            output[pos++] = (byte)'\n';
        }

        frame.Data = new ReadOnlySequence<byte>(frame.InlineBuffer, 0, pos);
    }

    private static int HeaderSize(int value) => 3 + CountDigits(value);

    private static int CountDigits(int value)
    {
        int digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }

        return digits;
    }

    private static int WriteHeader(Span<byte> output, byte type, int value)
    {
        output[0] = type;
        Utf8Formatter.TryFormat(value, output.Slice(1), out int written);
        output[1 + written] = (byte)'\r';
        output[2 + written] = (byte)'\n';
        return 3 + written;
    }

    private static ParseStatus FailInline(RequestFrame frame, string error)
    {
        Fail(frame, error);
        return ParseStatus.Error;
    }

    // C's isspace in the "C" locale, which sdssplitargs uses to skip blanks and to check after a closing quote.
    private static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r';

    private static bool IsHex(byte c) => char.IsAsciiHexDigit((char)c);

    private static int HexValue(byte c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
