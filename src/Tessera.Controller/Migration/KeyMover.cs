using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Tessera.Controller.Servers;
using Tessera.Model.Tenants;
using Tessera.Model.Topology;
using Tessera.Resp.Client;
using Tessera.Resp.Keys;
using Tessera.Resp.Servers;
using Tessera.Store;

namespace Tessera.Controller.Migration;

/// <summary>
/// Moves the keys of the migrating slots off one source master (architecture §4, step 3): SCAN passes over its whole
/// keyspace (COUNT <see cref="MigrationSettings.ScanCount"/>), keeping the keys whose slot moves (all moving
/// slots of that source in the same pass), and moving them with <c>MIGRATE host port "" 0 timeout REPLACE KEYS …</c>
/// in batches to each slot's target, under the keys/s and bytes/s throttle; each batch is sized with MEMORY USAGE
/// (one script call) just before it moves, and batches shrink when MIGRATE blocks the source longer than
/// <see cref="MigrationSettings.BatchTargetMs"/> (<see cref="BatchSizer"/>). Big keys go alone, with their own
/// timeout, after the small ones of their page. The pass ends when the cursor comes back to 0; it is complete when nothing in it failed
/// (keys that could not move are left on the source, where the next pass finds them).
/// </summary>
/// <remarks>
/// <para>Why one pass suffices: after the switch to <c>migrating</c> no key of these slots is ever written to the
/// source again (proxies move a key before touching it and write to the target), and SCAN returns every key
/// that is present for the whole pass. MIGRATE deletes a key on the source only once the target has stored it.</para>
/// <para>The cursor moves on only after a page is handled, so a broken connection means the page is scanned
/// again after reconnecting (keys already moved are gone from it); a restart of the source server (new run_id)
/// invalidates the cursor and starts the pass over.</para>
/// </remarks>
internal sealed partial class KeyMover
{
    /// <summary>MEMORY USAGE of every key in KEYS, -1 where the key is gone; one round trip per page.</summary>
    private const string SizeScript = "local r = {} for i, k in ipairs(KEYS) do r[i] = redis.call('MEMORY', 'USAGE', k, 'SAMPLES', '5') or -1 end return r";

    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxPassBackoff = TimeSpan.FromSeconds(30);

    private readonly MoverContext _context;
    private readonly SourceCursor _source;
    private readonly bool[] _moving;
    private readonly int[] _destination;
    private readonly BatchSizer _batches = new();
    private bool _started;
    private bool _noScript;

    /// <summary>The namespace's backend credentials, read from the store at each (re)connection: the source's AUTH and MIGRATE's.</summary>
    private ServerLogin? _login;

    /// <param name="context">What all movers of one migration share.</param>
    /// <param name="source">The source group's cursor.</param>
    /// <param name="moving">Per slot: true when its keys leave this source.</param>
    /// <param name="destination">Per slot: the group its keys go to.</param>
    public KeyMover(MoverContext context, SourceCursor source, bool[] moving, int[] destination)
    {
        _context = context;
        _source = source;
        _moving = moving;
        _destination = destination;
    }

    /// <summary>Runs passes until one completes without failures; retries connection problems with backoff.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var backoff = FirstBackoff;
        while (!_source.Done)
        {
            stop.ThrowIfCancellationRequested();
            try
            {
                await RunConnectedAsync(stop).ConfigureAwait(false);
                backoff = FirstBackoff;
            }
            catch (Exception e) when (IsTransient(e) && !stop.IsCancellationRequested)
            {
                var problem = $"source group {_source.Group} ({_source.Master ?? "master unknown"}): {e.Message.TrimEnd('.')}; retrying in {backoff.TotalSeconds:0.#} s";
                _context.Progress.ReportError(problem);
                _context.Logger.LogWarning("Migration {Migration}: {Problem}.", _context.Name, problem);
                await Task.Delay(backoff, _context.Time, stop).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2));
            }
        }
    }

    private async Task RunConnectedAsync(CancellationToken stop)
    {
        var ns = await _context.ReadNamespace(stop).ConfigureAwait(false);
        var master = MasterOf(ns, _source.Group);
        _source.Master = master;
        var targets = new Dictionary<int, (string Host, string Port)>();
        for (var slot = 0; slot < _moving.Length; slot++)
        {
            if (_moving[slot] && !targets.ContainsKey(_destination[slot]))
            {
                var address = MasterOf(ns, _destination[slot]);
                if (!ServerAddress.TryParse(address, out var target))
                {
                    throw new MoverException($"the master of group {_destination[slot]} is '{address}', not host:port");
                }

                targets[_destination[slot]] = (target.Host, target.Port.ToString(CultureInfo.InvariantCulture));
            }
        }

        _login = await _context.ReadLogin(stop).ConfigureAwait(false);
        var client = await ServerConnection.OpenAsync(master, _login, ConnectTimeout, stop).ConfigureAwait(false);
        await using (client.ConfigureAwait(false))
        {
            client.Timeout = CommandTimeout;
            await BeginAsync(client, ns, stop).ConfigureAwait(false);
            var passBackoff = TimeSpan.FromSeconds(1);
            while (true)
            {
                stop.ThrowIfCancellationRequested();
                var (next, keys) = await ScanAsync(client, _source.Cursor, _context.Settings().ScanCount).ConfigureAwait(false);
                var candidates = new List<(byte[] Key, int Slot)>();
                foreach (var key in keys)
                {
                    var slot = KeySlot.Of(key);
                    if (_moving[slot])
                    {
                        candidates.Add((key, slot));
                    }
                }

                var failures = candidates.Count == 0 ? 0 : await MovePageAsync(client, candidates, targets, stop).ConfigureAwait(false);
                _source.Advance(next, keys.Count, failures);
                if (next != 0)
                {
                    continue;
                }

                if (_source.EndPass())
                {
                    _context.Logger.LogInformation("Migration {Migration}: pass {Pass} over group {Group} ({Master}) is complete.", _context.Name, _source.Pass, _source.Group, master);
                    return;
                }

                _context.Logger.LogWarning(
                    "Migration {Migration}: pass {Pass} over group {Group} could not move {Failures} key(s); another pass in {Delay} s.",
                    _context.Name, _source.Pass, _source.Group, _source.PassFailures, passBackoff.TotalSeconds);
                await Task.Delay(passBackoff, _context.Time, stop).ConfigureAwait(false);
                passBackoff = TimeSpan.FromTicks(Math.Min(MaxPassBackoff.Ticks, passBackoff.Ticks * 2));
                _source.BeginPass();
                _context.Progress.MarkPassStart(_moving);
            }
        }
    }

    /// <summary>Checks which server this is and where to go on: a new pass, the saved cursor, or over again after a restart.</summary>
    private async Task BeginAsync(RespClient client, NamespaceConfig ns, CancellationToken stop)
    {
        var runId = await RunIdAsync(client).ConfigureAwait(false);
        var fresh = false;
        if (!string.Equals(_source.RunId, runId, StringComparison.Ordinal))
        {
            if (_source.RunId is not null)
            {
                _context.Logger.LogWarning(
                    "Migration {Migration}: group {Group}'s master is another server process now (run_id {Old} -> {New}); its SCAN pass starts over.",
                    _context.Name, _source.Group, _source.RunId, runId);
            }

            _source.Restart(runId);
            fresh = true;
        }
        else if (!_started)
        {
            if (_source.Cursor == 0)
            {
                _source.BeginPass();
            }
            else
            {
                _source.Resume();
            }

            fresh = true;
        }

        _started = true;
        if (!fresh)
        {
            return;
        }

        _context.Progress.MarkPassStart(_moving);
        var keys = (await client.CallAsync("DBSIZE").ConfigureAwait(false)).AsInt64();
        _source.KeysAtStart ??= keys;
        var owned = 0;
        foreach (var range in ns.Slots)
        {
            if (range.Group == _source.Group)
            {
                owned += range.To - range.From + 1;
            }
        }

        _source.PriorPerSlot = (double)keys / Math.Max(1, owned);
        stop.ThrowIfCancellationRequested();
    }

    private static async Task<string> RunIdAsync(RespClient client)
    {
        var info = await client.CallAsync("INFO", "server").ConfigureAwait(false);
        if (!info.IsError && ServerInfo.Parse(info.AsString() ?? "")["run_id"] is { } runId)
        {
            return runId.Trim();
        }

        throw new MoverException($"INFO server did not tell the run_id ({(info.IsError ? info.AsString() : "no run_id line")})");
    }

    private static async Task<(ulong Next, IReadOnlyList<byte[]> Keys)> ScanAsync(RespClient client, ulong cursor, int count)
    {
        var reply = await client.CallAsync("SCAN", cursor.ToString(CultureInfo.InvariantCulture), "COUNT", count).ConfigureAwait(false);
        if (reply.IsError || reply.Items is not [var nextValue, { Items: { } items }]
            || !ulong.TryParse(nextValue.AsString(), NumberStyles.None, CultureInfo.InvariantCulture, out var next))
        {
            throw new MoverException($"SCAN answered {reply}");
        }

        var keys = new List<byte[]>(items.Count);
        foreach (var item in items)
        {
            if (item.Bytes is { } bytes)
            {
                keys.Add(bytes);
            }
        }

        return (next, keys);
    }

    /// <summary>Moves the moving keys of one SCAN page; returns how many could not be moved.</summary>
    /// <remarks>
    /// Each batch is sized right before it moves (pipelined behind the MIGRATE of the batch before), so one
    /// sizing call covers no more keys than one MIGRATE: the script costs about a quarter of MIGRATE's time per
    /// key, and a whole page in one call blocked the source longer than any MIGRATE. A big key is reported as
    /// soon as its batch is sized, and moved alone after the small keys of the page.
    /// </remarks>
    private async Task<long> MovePageAsync(RespClient client, List<(byte[] Key, int Slot)> candidates, Dictionary<int, (string Host, string Port)> targets, CancellationToken stop)
    {
        var byDestination = new Dictionary<int, List<(byte[] Key, int Slot)>>();
        foreach (var candidate in candidates)
        {
            var destination = _destination[candidate.Slot];
            if (!byDestination.TryGetValue(destination, out var list))
            {
                byDestination[destination] = list = [];
            }

            list.Add(candidate);
        }

        long failures = 0;
        var big = new List<(byte[] Key, int Slot, long Size)>();
        var batch = new List<byte[]>();
        var batchSlots = new List<(int Slot, long Size)>();
        foreach (var (destination, keys) in byDestination)
        {
            var chunk = new Chunk(keys, 0, Math.Min(_batches.Next(_context.Settings()), keys.Count));
            var sizes = await SizesAsync(client, chunk).ConfigureAwait(false);
            while (true)
            {
                var settings = _context.Settings();
                batch.Clear();
                batchSlots.Clear();
                long bytes = 0;
                for (var i = 0; i < chunk.Count; i++)
                {
                    var (key, slot) = keys[chunk.Start + i];
                    if (sizes[i] < 0)
                    {
                        continue; // gone since SCAN saw it: a client moved it (or it expired or was deleted).
                    }

                    if (sizes[i] >= settings.BigKeyBytes)
                    {
                        big.Add((key, slot, sizes[i]));
                        _context.Progress.ReportBigKey(new BigKeyReport { Key = BigKeys.Printable(key), Slot = slot, Bytes = sizes[i], State = "moving", At = _context.Time.GetUtcNow() });
                        continue;
                    }

                    batch.Add(key);
                    batchSlots.Add((slot, sizes[i]));
                    bytes += sizes[i];
                }

                var start = chunk.Start + chunk.Count;
                Chunk? next = start < keys.Count ? new Chunk(keys, start, Math.Min(_batches.Next(settings), keys.Count - start)) : null;
                long[]? nextSizes;
                if (batch.Count == 0)
                {
                    nextSizes = next is { } rest ? await SizesAsync(client, rest).ConfigureAwait(false) : null;
                }
                else
                {
                    await _context.KeyBucket.TakeAsync(batch.Count, stop).ConfigureAwait(false);
                    await _context.ByteBucket.TakeAsync(bytes, stop).ConfigureAwait(false);
                    (var error, nextSizes) = await MigrateAsync(client, targets[destination], batch, settings.MigrateTimeoutMs, attempts: 5, _batches, next, stop).ConfigureAwait(false);
                    if (error is null)
                    {
                        foreach (var (slot, size) in batchSlots)
                        {
                            _context.Progress.AddMoved(slot, 1, size);
                        }
                    }
                    else
                    {
                        failures += batch.Count;
                        _context.Progress.ReportError($"{batch.Count} key(s) to group {destination} stay on group {_source.Group} until the next pass: {error}");
                    }
                }

                if (next is not { } following || nextSizes is null)
                {
                    break;
                }

                chunk = following;
                sizes = nextSizes;
            }
        }

        foreach (var (key, slot, size) in big)
        {
            await _context.KeyBucket.TakeAsync(1, stop).ConfigureAwait(false);
            await _context.ByteBucket.TakeAsync(size, stop).ConfigureAwait(false);
            var started = Stopwatch.GetTimestamp();
            var (error, _) = await MigrateAsync(client, targets[_destination[slot]], [key], _context.Settings().BigKeyTimeoutMs, attempts: 3, timing: null, next: null, stop).ConfigureAwait(false);
            var milliseconds = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1);
            _context.Progress.ReportBigKey(new BigKeyReport
            {
                Key = BigKeys.Printable(key),
                Slot = slot,
                Bytes = size,
                State = error is null ? "moved" : "failed",
                Milliseconds = milliseconds,
                Error = error,
                At = _context.Time.GetUtcNow(),
            });
            if (error is null)
            {
                _context.Progress.AddMoved(slot, 1, size);
                _context.Logger.LogInformation("Migration {Migration}: big key {Key} ({Bytes} bytes) moved in {Milliseconds} ms.", _context.Name, BigKeys.Printable(key), size, milliseconds);
            }
            else
            {
                failures++;
                _context.Progress.ReportError($"big key {BigKeys.Printable(key)} stays on group {_source.Group} until the next pass: {error}");
            }
        }

        return failures;
    }

    private static string MasterOf(NamespaceConfig ns, int groupId)
    {
        var group = ns.Groups.FirstOrDefault(g => g.Id == groupId)
            ?? throw new MoverException($"namespace '{ns.Name}' has no group {groupId} any more");
        return group.Master.Length > 0 ? group.Master : throw new MoverException($"group {groupId} of namespace '{ns.Name}' has no master");
    }

    private static bool IsTransient(Exception e) =>
        e is IOException or TimeoutException or SocketException or InvalidDataException or MoverException
            or CoordinatorStoreException or OperationRefusedException or InvalidOperationException;
}
