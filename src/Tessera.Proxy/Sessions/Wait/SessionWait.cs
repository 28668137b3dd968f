using System.Buffers;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Tessera.Proxy.Backends;
using Tessera.Proxy.Replies;
using Tessera.Proxy.Routing;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions.Wait;

/// <summary>
/// One session's WAIT numreplicas timeout: the WAITs under way and how one runs. Created on the session's first WAIT;
/// started on the session thread, run on a task of its own, aborted from the session thread when the client leaves.
/// </summary>
/// <remarks>
/// A WAIT stops the session reading the client, as Redis blocks a waiting client, lets every reply owed for earlier
/// commands arrive (so the masters ran those writes), and asks the current master of each group the session wrote to
/// (<see cref="WrittenGroups"/>), concurrently and over connections of its own, to WAIT behind a propagated marker
/// (see <see cref="ReplicaWait"/>). The answer is the smallest count: the number of replicas that have every write of
/// this client, as on Redis. Inside MULTI it is refused (Redis answers there at once for the transaction's connection
/// only, which the proxy cannot reproduce across groups). A WAIT behind held requests is held with them by the session.
/// </remarks>
internal sealed class SessionWait(ISessionView session)
{
    /// <summary>Beyond this WAIT timeout the proxy sets no guard of its own (Task timeouts stop at ~49 days).</summary>
    private const long MaxGuardedWaitMs = int.MaxValue / 2;

    private readonly ProxyContext _context = session.Context;

    /// <summary>
    /// WAITs under way (one, except when held requests re-dispatched in one pass hold two), so that a client leaving
    /// mid-WAIT closes their connections. Guarded by <see cref="_gate"/>: the session adds and aborts, each WAIT's
    /// own task removes itself.
    /// </summary>
    private readonly List<ReplicaWait> _running = [];

    private readonly Lock _gate = new();

    /// <summary>
    /// Reads WAIT's arguments and checks the namespace can be waited on; false with the error answered otherwise.
    /// Redis 7.0's checks and wording, in its order; a negative numreplicas is valid there (answered at once).
    /// </summary>
    public static bool Accepts(ISessionView session, RequestFrame frame, out long numReplicas, out long timeoutMs)
    {
        timeoutMs = 0;
        if (!frame.TryGetInt64(1, out numReplicas))
        {
            session.ReplyError("ERR value is not an integer or out of range");
            return false;
        }

        if (!frame.TryGetInt64(2, out timeoutMs))
        {
            session.ReplyError("ERR timeout is not an integer or out of range");
            return false;
        }

        if (timeoutMs < 0)
        {
            session.ReplyError("ERR timeout is negative");
            return false;
        }

        if (session.RoutesOrError() is not { } routes)
        {
            return false;
        }

        if (routes.Groups.Count == 0)
        {
            session.ReplyError($"CLUSTERDOWN namespace '{routes.Name}' has no groups");
            return false;
        }

        return true;
    }

    /// <summary>
    /// The masters to ask: the current master of every group the session wrote to, once each. A session that wrote
    /// nothing asks every master of the namespace, without the marker (<c>AfterWrites</c> false).
    /// </summary>
    /// <remarks>
    /// On Redis, WAIT from a connection that wrote nothing waits for offset 0, which every replica that finished
    /// its initial sync has acknowledged: it answers the number of connected replicas at once, or blocks up to the
    /// timeout when fewer than numreplicas are connected (checked against redis-server 7.0.15). A fresh connection
    /// to each master behaves exactly so for its group; the smallest answer is the number of replicas every group
    /// has, which is what a client that sees the namespace as one server can rely on. Groups written to that are
    /// no longer in the topology are skipped (their keys moved to groups the migration wrote to).
    /// </remarks>
    public static (List<BackendServer> Masters, bool AfterWrites) Targets(NamespaceRoutes routes, in WrittenGroups written)
    {
        var masters = new List<BackendServer>(routes.Groups.Count);
        if (written.Any)
        {
            foreach (var group in routes.Groups)
            {
                if (written.Contains(group.Id) && !masters.Contains(group.Master))
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

    /// <summary>Starts a WAIT (arguments from <see cref="Accepts"/>): takes its place in the reply order and pauses the session until it is answered.</summary>
    public void Start(long numReplicas, long timeoutMs)
    {
        var reply = session.EnqueueReply();
        var wait = new ReplicaWait(_context);
        lock (_gate)
        {
            _running.Add(wait);
        }

        // Nothing more is read from the client until WAIT is answered, so later commands keep their order.
        session.PauseUntil(RunAsync(wait, reply, numReplicas, timeoutMs));
    }

    /// <summary>The client left: a WAIT under way closes its connections (ending their blocked WAITs on the servers).</summary>
    public void Abort()
    {
        ReplicaWait[] waits;
        lock (_gate)
        {
            if (_running.Count == 0)
            {
                return;
            }

            waits = [.. _running];
            _running.Clear();
        }

        foreach (var wait in waits)
        {
            wait.Abort();
        }
    }

    private async Task RunAsync(ReplicaWait wait, Reply reply, long numReplicas, long timeoutMs)
    {
        long started = _context.Time.GetTimestamp();
        var batch = new FlushBatch();
        try
        {
            await SettleBeforeAsync(reply, wait.Aborted).ConfigureAwait(false);
            if (_context.Routing.Current.Find(session.Namespace) is not { } routes)
            {
                reply.OnFailure($"CLUSTERDOWN namespace '{session.Namespace}' has no topology on this proxy any more", batch);
                return;
            }

            var (masters, afterWrites) = Targets(routes, in session.Written);

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
                reply.OnFailure(error, batch);
            }
            else
            {
                byte[] bytes = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $":{count}\r\n"));
                reply.OnReply(new ReadOnlySequence<byte>(bytes), batch);
            }
        }
        catch (OperationCanceledException)
        {
            // The client left while WAIT was under way: nobody to answer.
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            _context.Logger.LogError(ex, "WAIT of client {ClientId} failed", session.Id);
            reply.OnFailure("ERR WAIT failed inside the proxy: " + ex.Message, batch);
        }
        finally
        {
            lock (_gate)
            {
                _running.Remove(wait);
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
        if (!await session.WaitForRepliesAsync(bound, aborted, before: reply).ConfigureAwait(false))
        {
            _context.Logger.LogWarning("WAIT of client {ClientId}: earlier replies still owed after {Bound}; waiting on replicas anyway", session.Id, bound);
        }

        if (session.ClientGone)
        {
            throw new OperationCanceledException("the client connection closed");
        }
    }
}
