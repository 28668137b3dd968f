using System.Buffers;
using Tessera.Proxy.Backends;
using Tessera.Proxy.Replies;
using Tessera.Proxy.Routing;
using Tessera.Proxy.Sessions.Wait;
using Tessera.Resp.Commands;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions;

/// <summary>
/// What a session's feature objects (PubSub/, Tracking/) may use of their session: its identity and protocol, its
/// place in the reply order, and the read pass's batch. Session thread only, except <see cref="Push"/> and the
/// identity and protocol properties, which backend threads use to deliver messages and invalidations.
/// </summary>
internal interface ISessionView
{
    long Id { get; }

    /// <summary>The namespace the client is served by.</summary>
    string Namespace { get; }

    RespProtocol Protocol { get; }

    ProxyContext Context { get; }

    /// <summary>The batch of the current read pass, flushed at its end.</summary>
    FlushBatch Batch { get; }

    /// <summary>Takes the next place in the reply order.</summary>
    Reply EnqueueReply();

    void ReplyError(string error);

    void ReplyOk();

    /// <summary>Starts a reply produced by the proxy; write it into the returned writer, then call <see cref="EndLocal"/>.</summary>
    ArrayBufferWriter<byte> BeginLocal();

    void EndLocal();

    /// <summary>An out-of-band frame for the client, behind the replies already owed.</summary>
    void Push(in ReadOnlySequence<byte> bytes, FlushBatch batch);

    /// <summary>Marks a backend connection to be flushed at the end of the read pass.</summary>
    void Touch(BackendConnection connection);

    /// <summary>The namespace's routes, or null with CLUSTERDOWN answered.</summary>
    NamespaceRoutes? RoutesOrError();

    /// <summary>Keeps the session among those woken when routes change (it has state to refresh then).</summary>
    void WatchRoutes();

    /// <summary>Dispatches nothing more until the replies owed now have arrived (later commands change connections).</summary>
    void PauseForReplies();

    /// <summary>Dispatches nothing more until <paramref name="until"/> completes (WAIT: until it is answered).</summary>
    void PauseUntil(Task until);

    /// <summary>
    /// Completes true once every reply queued before <paramref name="before"/> (every reply, when null) was written,
    /// false after <paramref name="timeout"/>. Any thread.
    /// </summary>
    Task<bool> WaitForRepliesAsync(TimeSpan timeout, CancellationToken cancellationToken, Reply? before);

    /// <summary>True once the client's connection closed: nobody to answer any more. Any thread.</summary>
    bool ClientGone { get; }

    /// <summary>The groups the session sent replicated writes to (read by WAIT from its own task, while the session is paused).</summary>
    ref readonly WrittenGroups Written { get; }

    /// <summary>The session's own connection to <paramref name="server"/> (its blocking commands use it too), or null with the refusal answered.</summary>
    BackendConnection? DedicatedConnection(BackendServer server);

    /// <summary>The group that runs a single-slot command on a dedicated connection, or null with the error answered (keys in two slots, a slot not served or moving).</summary>
    GroupRoute? SingleSlotGroup(NamespaceRoutes routes, CommandSpec spec, RequestFrame frame, out int slot);

    /// <summary>The group that runs keyless commands, or null with CLUSTERDOWN answered.</summary>
    GroupRoute? FirstGroup(NamespaceRoutes routes);

    /// <summary>Counts the command being dispatched as a replicated write to <paramref name="group"/> for a later WAIT, whatever its policy says.</summary>
    void NoteWriteTo(GroupRoute? group);
}
