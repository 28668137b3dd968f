using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Tessera.Controller.Servers;
using Tessera.Model.Tenants;
using Tessera.Resp.Client;
using Tessera.Resp.Values;

namespace Tessera.Controller.Migration;

/// <remarks>The two commands that do the work on the source: MIGRATE with its retries, and sizing keys for the throttle and the big-key check.</remarks>
internal sealed partial class KeyMover
{
    /// <summary>
    /// MIGRATE with retries and backoff; the error is null when moved (OK or NOKEY), else the last one. The
    /// successful call's time goes to <paramref name="timing"/>. When <paramref name="next"/> is given, its keys
    /// are sized in the same round trip (the script pipelined behind MIGRATE) and their sizes returned.
    /// </summary>
    /// <remarks>
    /// Pipelined, the source runs the two back to back, so the measured time is what clients there wait for;
    /// one round trip per batch instead of two keeps the mover as fast as with page-wide sizing.
    /// </remarks>
    /// <summary>MIGRATE's login to the target (a server of the same namespace, so the same credentials): AUTH pw, AUTH2 user pw, or nothing.</summary>
    private static object[] AuthArgs(ServerLogin? login) => login?.Credentials switch
    {
        null => [],
        { User: { } user } credentials => ["AUTH2", user, credentials.Password],
        var credentials => ["AUTH", credentials.Password],
    };

    private async Task<(string? Error, long[]? NextSizes)> MigrateAsync(
        RespClient client, (string Host, string Port) target, List<byte[]> keys, int timeoutMs, int attempts, BatchSizer? timing, Chunk? next, CancellationToken stop)
    {
        var auth = AuthArgs(_login);
        var args = new object[8 + auth.Length + keys.Count];
        args[0] = "MIGRATE";
        args[1] = target.Host;
        args[2] = target.Port;
        args[3] = "";
        args[4] = "0";
        args[5] = timeoutMs.ToString(CultureInfo.InvariantCulture);
        args[6] = "REPLACE";
        auth.CopyTo(args, 7);
        args[7 + auth.Length] = "KEYS";
        for (var i = 0; i < keys.Count; i++)
        {
            args[8 + auth.Length + i] = keys[i];
        }

        // MIGRATE's timeout bounds each idle moment of its talk with the target, not the whole command.
        client.Timeout = TimeSpan.FromMilliseconds(Math.Max(CommandTimeout.TotalMilliseconds, timeoutMs * 4.0));
        string? error = null;
        long[]? nextSizes = null;
        var backoff = FirstBackoff;
        try
        {
            for (var attempt = 1; attempt <= attempts; attempt++)
            {
                var started = Stopwatch.GetTimestamp();
                RespValue reply;
                if (next is { } chunk && nextSizes is null && !_noScript)
                {
                    await client.SendAsync(args).ConfigureAwait(false);
                    await client.SendAsync(SizeArgs(chunk)).ConfigureAwait(false);
                    reply = await client.ReadAsync().ConfigureAwait(false);
                    nextSizes = ReadSizes(await client.ReadAsync().ConfigureAwait(false), chunk.Count);
                }
                else
                {
                    reply = await client.CallAsync(args).ConfigureAwait(false);
                }

                if (!reply.IsError)
                {
                    timing?.Record(keys.Count, Stopwatch.GetElapsedTime(started));
                    error = null; // +OK, or +NOKEY: none of them is on the source any more.
                    break;
                }

                error = $"MIGRATE to {target.Host}:{target.Port} answered {reply.AsString()}";
                if (attempt < attempts)
                {
                    // Said at once, so a target in trouble shows in the progress while the batch is retried.
                    _context.Progress.ReportError($"{error} (attempt {attempt} of {attempts}; retrying in {backoff.TotalSeconds:0.#} s)");
                    await Task.Delay(backoff, _context.Time, stop).ConfigureAwait(false);
                    backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2));
                }
            }
        }
        finally
        {
            client.Timeout = CommandTimeout;
        }

        if (next is { } rest && nextSizes is null)
        {
            nextSizes = await SizesAsync(client, rest).ConfigureAwait(false);
        }

        return (error, nextSizes);
    }

    /// <summary>MEMORY USAGE of the chunk's keys (-1: gone, 0: unknown), by one script call or, where scripts are refused, pipelined.</summary>
    private async Task<long[]> SizesAsync(RespClient client, Chunk chunk)
    {
        if (!_noScript && ReadSizes(await client.CallAsync(SizeArgs(chunk)).ConfigureAwait(false), chunk.Count) is { } sized)
        {
            return sized;
        }

        var sizes = new long[chunk.Count];
        for (var i = 0; i < chunk.Count; i++)
        {
            await client.SendAsync("MEMORY", "USAGE", chunk.Keys[chunk.Start + i].Key, "SAMPLES", "5").ConfigureAwait(false);
        }

        for (var i = 0; i < chunk.Count; i++)
        {
            var reply = await client.ReadAsync().ConfigureAwait(false);
            sizes[i] = reply.IsNull ? -1 : reply.Kind == RespKind.Integer ? reply.Integer : 0;
        }

        return sizes;
    }

    private static object[] SizeArgs(Chunk chunk)
    {
        var args = new object[3 + chunk.Count];
        args[0] = "EVAL";
        args[1] = SizeScript;
        args[2] = chunk.Count.ToString(CultureInfo.InvariantCulture);
        for (var i = 0; i < chunk.Count; i++)
        {
            args[3 + i] = chunk.Keys[chunk.Start + i].Key;
        }

        return args;
    }

    /// <summary>The size script's answer as sizes; null (and no script from now on) when the server refused it.</summary>
    private long[]? ReadSizes(RespValue reply, int count)
    {
        if (!reply.IsError && reply.Items is { } items && items.Count == count)
        {
            var sizes = new long[count];
            for (var i = 0; i < count; i++)
            {
                sizes[i] = items[i].Kind == RespKind.Integer ? items[i].Integer : 0;
            }

            return sizes;
        }

        _noScript = true;
        _context.Logger.LogWarning("Migration {Migration}: the size script was refused on group {Group} ({Reply}); sizing keys with pipelined MEMORY USAGE instead.", _context.Name, _source.Group, reply);
        return null;
    }

    /// <summary><see cref="Count"/> keys of <see cref="Keys"/> from <see cref="Start"/>: what one batch takes.</summary>
    private readonly record struct Chunk(List<(byte[] Key, int Slot)> Keys, int Start, int Count);
}
