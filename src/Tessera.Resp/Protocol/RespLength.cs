namespace Tessera.Resp.Protocol;

/// <summary>Outcome of reading the decimal number that follows a RESP type byte.</summary>
internal enum LengthResult
{
    /// <summary>The line has not fully arrived.</summary>
    NeedMore,

    /// <summary>A well-formed number followed by CRLF.</summary>
    Ok,

    /// <summary>Not a canonical decimal number followed by CRLF.</summary>
    Malformed,

    /// <summary>A well-formed number above the caller's maximum.</summary>
    TooBig,
}

/// <summary>
/// Reads the length or count line of a RESP header ("123\r\n", after the type byte) with a hand-rolled digit
/// loop: this runs for every argument of every request, so it avoids any general-purpose parsing.
/// </summary>
internal static class RespLength
{
    /// <summary>
    /// Bytes worth examining for one header: type byte, sign, up to <see cref="MaxDigits"/> digits and CRLF fit
    /// with room to spare, so a header that straddles buffer segments can be copied into a stack buffer this size.
    /// </summary>
    internal const int MaxHeaderBytes = 32;

    /// <summary>More digits than this cannot be a sane length and could overflow a long, so they are refused.</summary>
    internal const int MaxDigits = 18;

    /// <summary>
    /// Parses an optional '-', digits and CRLF at the start of <paramref name="line"/>. Like Redis's string2ll the
    /// number must be canonical: no leading zeros, no "-0", no '+'. A value above <paramref name="max"/> is
    /// <see cref="LengthResult.TooBig"/> (with <paramref name="value"/> set, for the message) as soon as its line
    /// has arrived, before any payload; more than <see cref="MaxDigits"/> digits are malformed at once.
    /// The outcome depends only on the bytes, never on how they were split across reads.
    /// </summary>
    /// <param name="used">Bytes consumed including CRLF, when <see cref="LengthResult.Ok"/>.</param>
    internal static LengthResult Parse(ReadOnlySpan<byte> line, long max, out long value, out int used)
    {
        value = 0;
        used = 0;
        int i = 0;
        bool negative = false;
        if (line.Length > 0 && line[0] == (byte)'-')
        {
            negative = true;
            i = 1;
        }

        int start = i;
        for (; i < line.Length; i++)
        {
            uint digit = (uint)(line[i] - '0');
            if (digit > 9)
            {
                break;
            }

            int seen = i - start;
            if (seen == MaxDigits || (seen == 1 && value == 0))
            {
                return LengthResult.Malformed; // too long, or a leading zero
            }

            value = (value * 10) + digit;
        }

        if (i == line.Length)
        {
            return LengthResult.NeedMore;
        }

        if (i == start || line[i] != (byte)'\r')
        {
            return LengthResult.Malformed;
        }

        if (i + 1 == line.Length)
        {
            return LengthResult.NeedMore;
        }

        if (line[i + 1] != (byte)'\n' || (negative && value == 0))
        {
            return LengthResult.Malformed;
        }

        if (negative)
        {
            value = -value;
        }
        else if (value > max)
        {
            return LengthResult.TooBig;
        }

        used = i + 2;
        return LengthResult.Ok;
    }
}
