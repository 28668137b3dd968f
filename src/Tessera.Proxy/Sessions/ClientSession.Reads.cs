using System.Globalization;
using Tessera.Model.Topology;
using Tessera.Proxy.Backends;
using Tessera.Proxy.Routing;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions;

/// <summary>What READONLY and READWRITE set on a connection: nothing (the namespace's read mode rules), or one of them.</summary>
internal enum ReadPreference : byte
{
    /// <summary>The namespace's read mode.</summary>
    Namespace,

    /// <summary>READONLY: reads may go to replicas even when the namespace's mode is master (as prefer-replica).</summary>
    Replicas,

    /// <summary>READWRITE: every command at the master, whatever the namespace's mode.</summary>
    Master,
}

/// <remarks>
/// Reads from replicas (architecture §10): a single-slot read-only command on an online slot goes to one of the group's
/// fresh replicas when the session's read mode says so, it is not in MULTI or tracking, and it did not write to that
/// group within the namespace's read-your-writes time. Everything else goes to the master.
/// </remarks>
internal sealed partial class ClientSession
{
    private ReadPreference _readPreference;
    private int _replicaReadsInPass;

    /// <summary>The read mode this session's reads follow: the namespace's, changed by READONLY or READWRITE.</summary>
    private ReadMode EffectiveReadMode(NamespaceRoutes routes)
    {
        var mode = routes.Config.Reads?.Mode ?? ReadMode.Master;
        return _readPreference switch
        {
            ReadPreference.Master => ReadMode.Master,
            ReadPreference.Replicas when mode == ReadMode.Master => ReadMode.PreferReplica,
            _ => mode,
        };
    }

    /// <summary>
    /// Sends a read-only request for an online slot of <paramref name="group"/> to a fresh replica when this session's
    /// read mode allows, and answers -TRYAGAIN when the mode allows no master and no replica is fresh. False: the caller
    /// sends it to the master.
    /// </summary>
    private bool TryForwardRead(NamespaceRoutes routes, GroupRoute group, RequestFrame frame)
    {
        var replica = ReadReplica(routes, group, out var refusal);
        if (refusal is not null)
        {
            ReplyError(refusal);
            return true;
        }

        if (replica is null)
        {
            return false;
        }

        var connection = replica.ConnectionFor(Id, Protocol);
        var reply = EnqueueReply();
        connection.Send(frame.Data, reply, _batch);
        Touch(connection);
        return true;
    }

    /// <summary>
    /// The fresh replica a read of <paramref name="group"/> goes to, or null for the master; <paramref name="refusal"/>
    /// is the error to answer instead when the session's mode allows no master and no replica is fresh.
    /// </summary>
    private BackendServer? ReadReplica(NamespaceRoutes routes, GroupRoute group, out string? refusal)
    {
        refusal = null;
        if (_tracking is not null)
        {
            // Tracking needs the invalidations of the connection the read went over: the master's.
            return null;
        }

        var mode = EffectiveReadMode(routes);
        if (mode == ReadMode.Master)
        {
            return null;
        }

        var settings = routes.Config.Reads ?? ReadSettings.Default;
        if (_written.WroteRecently(group.Id, settings.ReadYourWritesMs))
        {
            return null;
        }

        var replica = group.Reads.Pick(mode, settings.Fallback, Id, out bool refused);
        if (refused)
        {
            refusal = NoFreshReplica(routes, group, mode);
            return null;
        }

        if (replica is not null)
        {
            _replicaReadsInPass++;
        }

        return replica;
    }

    private static string NoFreshReplica(NamespaceRoutes routes, GroupRoute group, ReadMode mode) =>
        string.Create(CultureInfo.InvariantCulture, $"TRYAGAIN no replica of group {group.Id} of namespace '{routes.Name}' is fresh enough to serve reads (read mode {ReadSettings.Name(mode)}")
        + (mode == ReadMode.Nearest ? ", fallback replicas" : "")
        + $"); retry, or let reads fall back to the master: `tessera namespace set {routes.Name} --read-mode prefer-replica`";

    /// <summary>READONLY / READWRITE: opt this connection in to replica reads, or out of them (as on Redis Cluster).</summary>
    private void SetReadPreference(ReadPreference preference)
    {
        _readPreference = preference;
        ReplyOk();
    }
}
