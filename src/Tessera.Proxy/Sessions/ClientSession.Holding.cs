using System.Buffers;
using Tessera.Model.Topology;
using Tessera.Proxy.Replies;
using Tessera.Proxy.Routing;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions;

/// <remarks>
/// Requests for locked slots (first phase of a route change, architecture §3) wait here, in order, while the
/// rest of the session goes on. Each keeps its place in the reply order (its <see cref="Reply"/> is taken
/// when it is held) and a copy of its bytes. When routes change the session is woken (its pending read is
/// cancelled) and re-dispatches them under the new routes; a later request for a slot that still has
/// held requests waits behind them, so one client's commands to a key never overtake each other. A
/// request held longer than the request timeout gets -TRYAGAIN.
/// </remarks>
internal sealed partial class ClientSession
{
    private readonly List<HeldRequest> _held = [];
    private RequestFrame? _heldFrame;

    /// <summary>
    /// The held request being dispatched again, while it is: it already has its place in the reply order, which
    /// <see cref="EnqueueReply"/> hands back (once) instead of a new one, and the time it was first held, which it
    /// keeps if it must wait again (<see cref="Hold"/>).
    /// </summary>
    private HeldRequest? _redispatching;

    /// <summary>
    /// True when this session already holds a request for <paramref name="slot"/>: a later one must wait behind it
    /// even if the slot is served again, so that commands to a key keep their order.
    /// </summary>
    private bool HoldsSlot(int slot)
    {
        if (_held.Count > 0)
        {
            foreach (var held in _held)
            {
                if (held.Slot == slot)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Keeps <paramref name="frame"/> until its slot is served again.</summary>
    private void Hold(RequestFrame frame, int slot)
    {
        long heldAt = _redispatching?.HeldAt ?? _context.Time.GetTimestamp();
        var reply = EnqueueReply();
        var bytes = new byte[frame.Data.Length];
        frame.Data.CopyTo(bytes);
        _held.Add(new HeldRequest(bytes, reply, slot, heldAt));
        if (_held.Count == 1)
        {
            _context.HeldSessions.TryAdd(this, 0);
            _ = WakeAfterAsync(_context.Options.RequestTimeout);
        }
    }

    /// <summary>Re-dispatches held requests under the current routes (called at the start of a read pass).</summary>
    private void ReleaseHeld()
    {
        RefreshSubscriptions();
        RefreshTracking();
        if (_held.Count == 0)
        {
            return;
        }

        var held = _held.ToArray();
        _held.Clear();
        _context.HeldSessions.TryRemove(this, out _);
        _heldFrame ??= new RequestFrame();
        foreach (var request in held)
        {
            if (_context.Time.GetElapsedTime(request.HeldAt) >= _context.Options.RequestTimeout)
            {
                CompleteError(request.Reply, $"TRYAGAIN slot {request.Slot} is locked for a topology change that has not finished; retry shortly", _batch);
                continue;
            }

            _heldFrame.Reset();
            if (RequestParser.TryParse(new ReadOnlySequence<byte>(request.Bytes), _heldFrame, _context.Options.Limits) != ParseStatus.Complete)
            {
                CompleteError(request.Reply, "ERR internal error: a held request could not be read back", _batch);
                continue;
            }

            _redispatching = request;
            Dispatch(_heldFrame);
            _redispatching = null;
        }

        if (_held.Count > 0 || _pubsub is { Any: true } || _tracking is not null)
        {
            _context.HeldSessions.TryAdd(this, 0);
        }
    }

    /// <summary>Interrupts the pending read so the read loop looks at held requests again.</summary>
    internal void Wake()
    {
        try
        {
            _transport.Input.CancelPendingRead();
        }
        catch (InvalidOperationException)
        {
            // The connection is already closing.
        }
    }

    private async Task WakeAfterAsync(TimeSpan delay)
    {
        await Task.Delay(delay + TimeSpan.FromMilliseconds(10)).ConfigureAwait(false);
        Wake();
    }

    private sealed record HeldRequest(byte[] Bytes, Reply Reply, int Slot, long HeldAt)
    {
        /// <summary>True once its dispatch took back <see cref="Reply"/> (its later replies, if any, are new places).</summary>
        public bool ReplyTaken { get; set; }
    }
}
