using System.Buffers;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Tessera.Proxy.Backends;
using Tessera.Proxy.Replies;
using Tessera.Proxy.Routing;
using Tessera.Proxy.Sessions.Wait;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions;

/// <remarks>
/// WAIT numreplicas timeout. The session remembers which groups it sent writes to (a bit per group id below 64,
/// a set for larger ids; nothing is allocated per command). WAIT then stops reading the client, as Redis blocks a
/// waiting client, lets every reply owed for earlier commands arrive (so the masters ran those writes), and asks
/// the current master of each written group, concurrently and over connections of its own, to WAIT behind a
/// propagated marker (see <see cref="ReplicaWait"/>). The answer is the smallest count: the number of replicas
/// that have every write of this client, as on Redis. Inside MULTI it is refused (Redis answers there at once
/// for the transaction's connection only, which the proxy cannot reproduce across groups).
/// </remarks>
internal sealed partial class ClientSession
{
    /// <summary>Beyond this WAIT timeout the proxy sets no guard of its own (Task timeouts stop at ~49 days).</summary>
    private const long MaxGuardedWaitMs = int.MaxValue / 2;

    /// <summary>Bit <c>id</c> set when this session sent a replicated write to group <c>id</c> (ids 0..63).</summary>
    private ulong _writtenGroups;

    /// <summary>Written groups with ids of 64 and more (rare: created on first use).</summary>
    private HashSet<int>? _writtenHighGroups;

    /// <summary>Whether the command being dispatched is a replicated write (from its policy, set by Dispatch).</summary>
    private bool _writeCommand;

    /// <summary>
    /// WAITs under way (one, except when held requests re-dispatched in one pass hold two), so that a client leaving
    /// mid-WAIT closes their connections. Locked: the read loop adds, the WAIT's own task removes.
    /// </summary>
    private List<ReplicaWait>? _replicaWaits;

    /// <summary>Guards <see cref="_replicaWaits"/> (the read loop adds, the client's departure aborts from another thread).</summary>
    private readonly Lock _replicaWaitsGate = new();

    /// <summary>Remembers that the command being dispatched reaches <paramref name="group"/>, when it is a write.</summary>
    private void NoteWrite(GroupRoute? group)
    {
        if (!_writeCommand || group is null)
        {
            return;
        }

        int id = group.Id;
        if ((uint)id < 64)
        {
            _writtenGroups |= 1UL << id;
        }
        else
        {
            (_writtenHighGroups ??= []).Add(id);
        }
    }

    /// <summary>A write sent to every group (FLUSHDB, FUNCTION LOAD...).</summary>
    private void NoteWriteOnEveryGroup(NamespaceRoutes routes)
    {
        if (!_writeCommand)
        {
            return;
        }

        foreach (var group in routes.Groups)
        {
            NoteWrite(group);
        }
    }

    private bool WroteTo(int groupId) =>
        (uint)groupId < 64 ? (_writtenGroups & (1UL << groupId)) != 0 : _writtenHighGroups?.Contains(groupId) == true;

    private void RunWait(RequestFrame frame)
    {
        // Redis 7.0's checks and wording, in its order; a negative numreplicas is valid there (answered at once).
        if (!frame.TryGetInt64(1, out long numReplicas))
        {
            ReplyError("ERR value is not an integer or out of range");
            return;
        }

        if (!frame.TryGetInt64(2, out long timeout))
        {
            ReplyError("ERR timeout is not an integer or out of range");
            return;
        }

        if (timeout < 0)
        {
            ReplyError("ERR timeout is negative");
            return;
        }

        if (RoutesOrError() is not { } routes)
        {
            return;
        }

        if (routes.Groups.Count == 0)
        {
            ReplyError($"CLUSTERDOWN namespace '{routes.Name}' has no groups");
            return;
        }

        if (_held.Count > 0)
        {
            // Earlier requests wait for a locked slot and are re-sent only by the read loop, which WAIT would stop:
            // wait in line behind them instead (re-dispatched after them, in order).
            Hold(frame, _held[^1].Slot);
            return;
        }

        var reply = EnqueueReply();
        var wait = new ReplicaWait(_context);
        lock (_replicaWaitsGate)
        {
            (_replicaWaits ??= []).Add(wait);
        }

        // Nothing more is read from the client until WAIT is answered, so later commands keep their order.
        _pause = RunWaitAsync(wait, reply, numReplicas, timeout);
    }

    private async Task RunWaitAsync(ReplicaWait wait, Reply reply, long numReplicas, long timeoutMs)
    {
        long started = _context.Time.GetTimestamp();
        var batch = new FlushBatch();
        try
        {
            await SettleBeforeAsync(reply, wait.Aborted).ConfigureAwait(false);
            if (_context.Routing.Current.Find(Namespace) is not { } routes)
            {
                CompleteError(reply, $"CLUSTERDOWN namespace '{Namespace}' has no topology on this proxy any more", batch);
                return;
            }

            var (masters, afterWrites) = WaitTargets(routes);

            // The client's timeout started when WAIT arrived: the time spent on earlier replies counts.
            if (timeoutMs > 0)
            {
                timeoutMs = Math.Max(1, timeoutMs - (long)_context.Time.GetElapsedTime(started).TotalMilliseconds);
            }

            var (count, error) = await wait.RunAsync(masters, afterWrites, numReplicas, timeoutMs, timeoutMs <= MaxGuardedWaitMs).ConfigureAwait(false);

            // Give the connections back before the client hears the answer, so its next WAIT finds them free.
            wait.Close();
            if (error is not null)
            {
                CompleteError(reply, error, batch);
            }
            else
            {
                byte[] bytes = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $":{count}\r\n"));
                Complete(reply, new ReadOnlySequence<byte>(bytes), batch);
            }
        }
        catch (OperationCanceledException)
        {
            // The client left while WAIT was under way: nobody to answer.
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            _context.Logger.LogError(ex, "WAIT of client {ClientId} failed", Id);
            CompleteError(reply, "ERR WAIT failed inside the proxy: " + ex.Message, batch);
        }
        finally
        {
            lock (_replicaWaitsGate)
            {
                _replicaWaits!.Remove(wait);
            }

            wait.Close();
            batch.FlushAll();
        }
    }

    /// <summary>
    /// Waits until every reply queued before <paramref name="reply"/> has been written: then the backends have run
    /// the client's earlier commands, and a marker sent now is behind all of their writes.
    /// </summary>
    /// <remarks>
    /// Bounded: owed replies come from shared connections (failed after the request timeout) or from migrations
    /// (bounded by the MIGRATE timeout), so past that bound the proxy goes on rather than hang the client.
    /// </remarks>
    private async Task SettleBeforeAsync(Reply reply, CancellationToken aborted)
    {
        var options = _context.Options;
        var bound = options.RequestTimeout + options.RequestTimeout + options.MigrateTimeout;
        if (!await WaitForRepliesAsync(bound, aborted, before: reply).ConfigureAwait(false))
        {
            _context.Logger.LogWarning("WAIT of client {ClientId}: earlier replies still owed after {Bound}; waiting on replicas anyway", Id, bound);
        }

        if (_out.IsClosed)
        {
            throw new OperationCanceledException("the client connection closed");
        }
    }

    /// <summary>
    /// The masters to ask: the current master of every group this session wrote to. A session that wrote nothing
    /// asks every master of the namespace, without the marker.
    /// </summary>
    /// <remarks>
    /// On Redis, WAIT from a connection that wrote nothing waits for offset 0, which every replica that finished
    /// its initial sync has acknowledged: it answers the number of connected replicas at once, or blocks up to the
    /// timeout when fewer than numreplicas are connected (checked against redis-server 7.0.15). A fresh connection
    /// to each master behaves exactly so for its group; the smallest answer is the number of replicas every group
    /// has, which is what a client that sees the namespace as one server can rely on. Groups written to that are
    /// no longer in the topology are skipped (their keys moved to groups the migration wrote to).
    /// </remarks>
    private (List<BackendServer> Masters, bool AfterWrites) WaitTargets(NamespaceRoutes routes)
    {
        var masters = new List<BackendServer>(routes.Groups.Count);
        if (_writtenGroups != 0 || _writtenHighGroups is { Count: > 0 })
        {
            foreach (var group in routes.Groups)
            {
                if (WroteTo(group.Id) && !masters.Contains(group.Master))
                {
                    masters.Add(group.Master);
                }
            }

            if (masters.Count > 0)
            {
                return (masters, true);
            }
        }

        foreach (var group in routes.Groups)
        {
            if (!masters.Contains(group.Master))
            {
                masters.Add(group.Master);
            }
        }

        return (masters, false);
    }

    /// <summary>The client left: a WAIT under way closes its connections (ending their blocked WAITs on the servers).</summary>
    private void AbortWait()
    {
        ReplicaWait[] waits;
        lock (_replicaWaitsGate)
        {
            if (_replicaWaits is not { Count: > 0 })
            {
                return;
            }

            waits = [.. _replicaWaits];
            _replicaWaits.Clear();
        }

        foreach (var wait in waits)
        {
            wait.Abort();
        }
    }
}
