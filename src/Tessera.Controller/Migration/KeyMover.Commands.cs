using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Tessera.Resp.Client;
using Tessera.Resp.Values;

namespace Tessera.Controller.Migration;

/// <remarks>The two commands that do the work on the source: MIGRATE with its retries, and sizing keys for the throttle and the big-key check.</remarks>
internal sealed partial class KeyMover
{
    /// <summary>MIGRATE with retries and backoff; null when moved (OK or NOKEY), else the last error. The successful call's time goes to <paramref name="timing"/>.</summary>
    private async Task<string?> MigrateAsync(RespClient client, (string Host, string Port) target, List<byte[]> keys, int timeoutMs, int attempts, BatchSizer? timing, CancellationToken stop)
    {
        var args = new object[8 + keys.Count];
        args[0] = "MIGRATE";
        args[1] = target.Host;
        args[2] = target.Port;
        args[3] = "";
        args[4] = "0";
        args[5] = timeoutMs.ToString(CultureInfo.InvariantCulture);
        args[6] = "REPLACE";
        args[7] = "KEYS";
        for (var i = 0; i < keys.Count; i++)
        {
            args[8 + i] = keys[i];
        }

        // MIGRATE's timeout bounds each idle moment of its talk with the target, not the whole command.
        client.Timeout = TimeSpan.FromMilliseconds(Math.Max(CommandTimeout.TotalMilliseconds, timeoutMs * 4.0));
        string? error = null;
        var backoff = FirstBackoff;
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            var started = Stopwatch.GetTimestamp();
            var reply = await client.CallAsync(args).ConfigureAwait(false);
            if (!reply.IsError)
            {
                timing?.Record(keys.Count, Stopwatch.GetElapsedTime(started));
                client.Timeout = CommandTimeout;
                return null; // +OK, or +NOKEY: none of them is on the source any more.
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

        client.Timeout = CommandTimeout;
        return error;
    }

    /// <summary>MEMORY USAGE of <paramref name="count"/> keys from <paramref name="start"/> (-1: gone, 0: unknown), by one script call or, where scripts are refused, pipelined.</summary>
    private async Task<long[]> SizesAsync(RespClient client, List<(byte[] Key, int Slot)> keys, int start, int count)
    {
        var sizes = new long[count];
        if (!_noScript)
        {
            var args = new object[3 + count];
            args[0] = "EVAL";
            args[1] = SizeScript;
            args[2] = count.ToString(CultureInfo.InvariantCulture);
            for (var i = 0; i < count; i++)
            {
                args[3 + i] = keys[start + i].Key;
            }

            var reply = await client.CallAsync(args).ConfigureAwait(false);
            if (!reply.IsError && reply.Items is { } items && items.Count == count)
            {
                for (var i = 0; i < items.Count; i++)
                {
                    sizes[i] = items[i].Kind == RespKind.Integer ? items[i].Integer : 0;
                }

                return sizes;
            }

            _noScript = true;
            _context.Logger.LogWarning("Migration {Migration}: the size script was refused on group {Group} ({Reply}); sizing keys with pipelined MEMORY USAGE instead.", _context.Name, _source.Group, reply);
        }

        for (var i = 0; i < count; i++)
        {
            await client.SendAsync("MEMORY", "USAGE", keys[start + i].Key, "SAMPLES", "5").ConfigureAwait(false);
        }

        for (var i = 0; i < count; i++)
        {
            var reply = await client.ReadAsync().ConfigureAwait(false);
            sizes[i] = reply.IsNull ? -1 : reply.Kind == RespKind.Integer ? reply.Integer : 0;
        }

        return sizes;
    }
}
