using System.Buffers;
using System.Text;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions.Tracking;

/// <summary>
/// A session's CLIENT TRACKING settings. Immutable: a change replaces the whole object, so backend threads
/// that re-enable tracking on a new link always read one consistent set.
/// </summary>
/// <param name="Redirect">The proxy client id invalidations go to; 0 for the session itself.</param>
/// <param name="Prefixes">BCAST prefixes, sorted as Redis lists them (an empty prefix means every key).</param>
internal sealed record TrackingOptions(bool Bcast, bool OptIn, bool OptOut, bool NoLoop, long Redirect, IReadOnlyList<byte[]> Prefixes)
{
    /// <summary>
    /// Parses CLIENT TRACKING ON|OFF [REDIRECT id] [BCAST] [PREFIX p]... [OPTIN] [OPTOUT] [NOLOOP] and checks it
    /// the way Redis 7.0 does, with Redis's own error texts. <paramref name="current"/> is the session's active
    /// tracking (null when off); <paramref name="clientExists"/> says whether a REDIRECT target exists.
    /// </summary>
    /// <returns>The new options for ON, null for OFF (or on error, with <paramref name="error"/> set).</returns>
    public static TrackingOptions? Parse(RequestFrame frame, TrackingOptions? current, Func<long, bool> clientExists, out string? error)
    {
        error = null;
        long redirect = 0;
        bool bcast = false, optIn = false, optOut = false, noLoop = false;
        var prefixes = new List<byte[]>();
        for (int j = 3; j < frame.Count; j++)
        {
            bool moreArgs = j + 1 < frame.Count;
            if (frame.ArgEquals(j, "REDIRECT"u8) && moreArgs)
            {
                j++;
                if (redirect != 0)
                {
                    error = "ERR A client can only redirect to a single other client";
                    return null;
                }

                if (!frame.TryGetInt64(j, out redirect))
                {
                    error = "ERR value is not an integer or out of range";
                    return null;
                }

                // Redis requires the target to exist now, even though it may leave later.
                if (!clientExists(redirect))
                {
                    error = "ERR The client ID you want redirect to does not exist";
                    return null;
                }
            }
            else if (frame.ArgEquals(j, "BCAST"u8))
            {
                bcast = true;
            }
            else if (frame.ArgEquals(j, "OPTIN"u8))
            {
                optIn = true;
            }
            else if (frame.ArgEquals(j, "OPTOUT"u8))
            {
                optOut = true;
            }
            else if (frame.ArgEquals(j, "NOLOOP"u8))
            {
                noLoop = true;
            }
            else if (frame.ArgEquals(j, "PREFIX"u8) && moreArgs)
            {
                j++;
                prefixes.Add(frame.ArgSpan(j).ToArray());
            }
            else
            {
                error = "ERR syntax error";
                return null;
            }
        }

        if (frame.ArgEquals(2, "OFF"u8))
        {
            return null;
        }

        if (!frame.ArgEquals(2, "ON"u8))
        {
            error = "ERR syntax error";
            return null;
        }

        error = Validate(current, bcast, optIn, optOut, prefixes);
        if (error is not null)
        {
            return null;
        }

        // Like Redis: flags are replaced, BCAST prefixes add up (no prefix at all means every key).
        var all = new List<byte[]>(current?.Prefixes ?? []);
        if (bcast)
        {
            if (prefixes.Count == 0)
            {
                prefixes.Add([]);
            }

            foreach (var prefix in prefixes)
            {
                if (!all.Exists(p => p.AsSpan().SequenceEqual(prefix)))
                {
                    all.Add(prefix);
                }
            }

            all.Sort(static (a, b) => a.AsSpan().SequenceCompareTo(b));
        }

        return new TrackingOptions(bcast, optIn, optOut, noLoop, redirect, all);
    }

    private static string? Validate(TrackingOptions? current, bool bcast, bool optIn, bool optOut, List<byte[]> prefixes)
    {
        if (!bcast && prefixes.Count > 0)
        {
            return "ERR PREFIX option requires BCAST mode to be enabled";
        }

        if (current is not null && current.Bcast != bcast)
        {
            return "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.";
        }

        if (bcast && (optIn || optOut))
        {
            return "ERR OPTIN and OPTOUT are not compatible with BCAST";
        }

        if (optIn && optOut)
        {
            return "ERR You can't specify both OPTIN mode and OPTOUT mode";
        }

        if (current is not null && ((optIn && current.OptOut) || (optOut && current.OptIn)))
        {
            return "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.";
        }

        if (bcast)
        {
            for (int i = 0; i < prefixes.Count; i++)
            {
                foreach (var existing in current?.Prefixes ?? [])
                {
                    if (Overlap(existing, prefixes[i]))
                    {
                        return $"ERR Prefix '{Text(prefixes[i])}' overlaps with an existing prefix '{Text(existing)}'. Prefixes for a single client must not overlap.";
                    }
                }

                for (int j = i + 1; j < prefixes.Count; j++)
                {
                    if (Overlap(prefixes[i], prefixes[j]))
                    {
                        return $"ERR Prefix '{Text(prefixes[i])}' overlaps with another provided prefix '{Text(prefixes[j])}'. Prefixes for a single client must not overlap.";
                    }
                }
            }
        }

        return null;
    }

    /// <summary>Redis's check: one is a prefix of the other (compared over the shorter length).</summary>
    private static bool Overlap(byte[] a, byte[] b)
    {
        int n = Math.Min(a.Length, b.Length);
        return a.AsSpan(0, n).SequenceEqual(b.AsSpan(0, n));
    }

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    /// <summary>Writes the CLIENT TRACKING ON command a backend tracking connection gets (never REDIRECT: the proxy redirects itself).</summary>
    public void WriteEnableCommand(IBufferWriter<byte> writer)
    {
        int count = 3 + (Bcast ? 1 + (2 * Prefixes.Count) : 0) + (OptIn ? 1 : 0) + (OptOut ? 1 : 0) + (NoLoop ? 1 : 0);
        RespWriter.WriteArrayHeader(writer, count);
        RespWriter.WriteBulkString(writer, "CLIENT"u8);
        RespWriter.WriteBulkString(writer, "TRACKING"u8);
        RespWriter.WriteBulkString(writer, "ON"u8);
        if (Bcast)
        {
            RespWriter.WriteBulkString(writer, "BCAST"u8);
            foreach (var prefix in Prefixes)
            {
                RespWriter.WriteBulkString(writer, "PREFIX"u8);
                RespWriter.WriteBulkString(writer, prefix);
            }
        }

        if (OptIn)
        {
            RespWriter.WriteBulkString(writer, "OPTIN"u8);
        }

        if (OptOut)
        {
            RespWriter.WriteBulkString(writer, "OPTOUT"u8);
        }

        if (NoLoop)
        {
            RespWriter.WriteBulkString(writer, "NOLOOP"u8);
        }
    }
}
