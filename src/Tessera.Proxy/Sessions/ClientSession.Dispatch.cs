using System.Text;
using Tessera.Model.Topology;
using Tessera.Proxy.Commands;
using Tessera.Proxy.Routing;
using Tessera.Proxy.Sessions.Transactions;
using Tessera.Resp.Commands;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions;

/// <remarks>Routing of one parsed request: look up the command, check arity, apply its policy.</remarks>
internal sealed partial class ClientSession
{
    // The command being dispatched, for its duration metric: taken by the first reply it enqueues.
    private Stats.CommandTags? _timedCommand;
    private long _timedSince;

    private void Dispatch(RequestFrame frame)
    {
        DispatchCommand(frame);

        // A command that enqueued no reply (held for a locked slot takes its place at once, so this is QUIT and the
        // like) leaves nothing for a later reply to take.
        _timedCommand = null;
    }

    private void DispatchCommand(RequestFrame frame)
    {
        var policies = _context.Policies;
        var spec = policies.Table.Resolve(frame);
        if (spec is null)
        {
            RefuseCommand(null, UnknownCommandMessage(frame));
            return;
        }

        if (!spec.ArityAllows(frame.Count))
        {
            RefuseCommand(spec, $"ERR wrong number of arguments for '{spec.Name}' command");
            return;
        }

        var policy = policies.Get(spec);
        // CurrentUser binds a connection to the open namespace (or by its certificate) on its first command, which is
        // timed like the rest.
        if ((_user ?? CurrentUser()) is { } user && _context.Stats.Metrics is not null)
        {
            _timedCommand = user.Tenant.TagsOf(spec, policy.Ordinal, policies.Count);
            _timedSince = System.Diagnostics.Stopwatch.GetTimestamp();
        }

        if (!Permits(spec, policy))
        {
            return;
        }

        _tracking?.AdvanceCaching();

        if (InSubscribedMode && !AllowedWhileSubscribed(spec.Name))
        {
            ReplyError($"ERR Can't execute '{spec.Name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
            return;
        }

        if (InMulti && policy.Kind != CommandKind.Transaction && spec.Name is not ("quit" or "reset"))
        {
            QueueInTransaction(frame, spec, policy);
            return;
        }

        if (_context.Routing.Fenced && policy.Kind != CommandKind.Local)
        {
            ReplyError("TRYAGAIN this proxy lost its registration in the coordinator store and stopped serving until it re-registers; retry, or use another proxy");
            return;
        }

        switch (policy.Kind)
        {
            case CommandKind.Keyed:
                RouteKeyed(frame, spec, policy.Writes, policy.ReplicaReads);
                break;
            case CommandKind.KeyedUnlessBlocking:
                if (HasBlockOption(frame))
                {
                    RouteBlocking(frame, spec, policy.Writes);
                }
                else
                {
                    RouteKeyed(frame, spec, policy.Writes, policy.ReplicaReads);
                }

                break;
            case CommandKind.FanOut:
                RunFanOut(frame, spec, policy.Merge, policy.Writes);
                break;
            case CommandKind.Scan:
                Scan(frame);
                break;
            case CommandKind.Wait:
                RunWait(frame);
                break;
            case CommandKind.Transaction:
                RunTransaction(frame, spec);
                break;
            case CommandKind.PubSub:
                RunPubSub(frame, spec.Name, policy.Writes);
                break;
            case CommandKind.Blocking:
                RouteBlocking(frame, spec, policy.Writes);
                break;
            case CommandKind.MultiKey:
                RouteMultiKey(frame, spec, policy.Merge, policy.Writes, policy.ReplicaReads);
                break;
            case CommandKind.Local:
                RunLocal(frame, spec, policy.Local);
                break;
            case CommandKind.AnyGroup:
                if (RoutesOrError() is { } anyRoutes && FirstGroup(anyRoutes) is { } anyGroup)
                {
                    Forward(anyGroup, frame, policy.Writes);
                }

                break;
            default:
                ReplyError(policy.Refusal!);
                break;
        }
    }

    /// <summary>
    /// A command refused before it runs, as Redis's rejectCommand: inside MULTI it also discards the transaction at
    /// EXEC; a refused EXEC itself answers -EXECABORT naming why and ends the transaction.
    /// </summary>
    private void RefuseCommand(CommandSpec? spec, string error)
    {
        if (spec?.Name == "exec")
        {
            _txn = SessionTransaction.RejectExec(this, _txn, error.StartsWith("ERR ", StringComparison.Ordinal) ? error[4..] : error);
        }
        else if (InMulti)
        {
            _txn!.Abort(error);
        }
        else
        {
            ReplyError(error);
        }
    }

    /// <summary>
    /// Single-slot commands: every key must hash to the same slot; the slot's group runs it (<see cref="KeyRouting"/>), at
    /// a replica when the command is one that <paramref name="replicaReads"/> and the session's read mode allows.
    /// </summary>
    private void RouteKeyed(RequestFrame frame, CommandSpec spec, bool writes, bool replicaReads = false)
    {
        if (RoutesOrError() is not { } routes)
        {
            return;
        }

        var keys = KeyIndexBuffer(frame.Count);
        int keyCount = Math.Max(0, KeyExtractor.GetKeyIndexes(spec, frame, keys));
        var route = KeyRouting.Route(routes, frame, keys[..keyCount]);
        switch (route.Kind)
        {
            case RouteKind.NoKeys:
                // Any group answers the same, so use the one that owns slot 0 and let Redis word the error.
                if (FirstGroup(routes) is { } first)
                {
                    Forward(first, frame, writes);
                }

                return;
            case RouteKind.CrossSlot:
                ReplyError(KeyRouting.CrossSlotError);
                return;
        }

        if (route.Kind == RouteKind.Locked || HoldsSlot(route.Slot))
        {
            Hold(frame, route.Slot);
        }
        else if (route.Kind == RouteKind.NotServed)
        {
            ReplyError(SlotNotServed(routes, route.Slot));
        }
        else if (route.Kind == RouteKind.Migrating)
        {
            ForwardMigrating(route.Group!, route.Target!, frame, keys[..keyCount], route.Slot, writes);
        }
        else if (!replicaReads || !TryForwardRead(routes, route.Group!, frame))
        {
            Forward(route.Group!, frame, writes);
        }
    }

    /// <summary>
    /// Sends the request's bytes as they are to the group's master, taking the next place in the reply order; a
    /// command that <paramref name="writes"/> makes the group one a later WAIT asks.
    /// </summary>
    private void Forward(GroupRoute group, RequestFrame frame, bool writes)
    {
        // Noted first, so a client with CLIENT TRACKING on is counted for WAIT too.
        _written.Note(group, writes);
        if (_tracking is not null)
        {
            ForwardTracked(group, frame);
            return;
        }

        var connection = group.Master.ConnectionFor(Id, Protocol);
        var reply = EnqueueReply();
        connection.Send(frame.Data, reply, _batch);
        Touch(connection);
    }

    private NamespaceRoutes? RoutesOrError()
    {
        var routes = _context.Routing.Current.Find(Namespace);
        if (routes is null)
        {
            ReplyError($"CLUSTERDOWN namespace '{Namespace}' has no topology on this proxy yet; create its groups and assign its slots");
        }

        return routes;
    }

    /// <summary>The group that owns the lowest assigned slot: where keyless commands go.</summary>
    private GroupRoute? FirstGroup(NamespaceRoutes routes)
    {
        foreach (var group in routes.Slots)
        {
            if (group is not null)
            {
                return group;
            }
        }

        ReplyError($"CLUSTERDOWN namespace '{routes.Name}' has no slot assigned to any group");
        return null;
    }

    internal static string SlotNotServed(NamespaceRoutes routes, int slot) =>
        $"CLUSTERDOWN Hash slot {slot} not served: namespace '{routes.Name}' has no group assigned to it";

    private static bool AllowedWhileSubscribed(string name) =>
        name is "subscribe" or "psubscribe" or "ssubscribe" or "unsubscribe" or "punsubscribe" or "sunsubscribe" or "ping" or "quit" or "reset";

    private static bool HasBlockOption(RequestFrame frame)
    {
        for (int i = 1; i < frame.Count; i++)
        {
            if (frame.ArgEquals(i, "STREAMS"u8))
            {
                return false;
            }

            if (frame.ArgEquals(i, "BLOCK"u8))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Redis 7's wording: ERR unknown command 'foo', with args beginning with: 'a' 'b'.</summary>
    private static string UnknownCommandMessage(RequestFrame frame)
    {
        var text = new StringBuilder("ERR unknown command '");
        AppendPrintable(text, frame.ArgSpan(0), 128);
        text.Append("', with args beginning with: ");
        for (int i = 1; i < frame.Count && text.Length < 512; i++)
        {
            text.Append('\'');
            AppendPrintable(text, frame.ArgSpan(i), 128);
            text.Append("' ");
        }

        return text.ToString();
    }

    private static void AppendPrintable(StringBuilder text, ReadOnlySpan<byte> bytes, int max)
    {
        foreach (byte b in bytes[..Math.Min(bytes.Length, max)])
        {
            text.Append(b is >= 0x20 and < 0x7f ? (char)b : '?');
        }
    }
}
