using System.Buffers;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Tessera.Model.Topology;
using Tessera.Proxy.Backends;
using Tessera.Proxy.Hosting;
using Tessera.Proxy.Replies;
using Tessera.Proxy.Routing;
using Tessera.Proxy.Sessions;
using Tessera.Proxy.Sessions.Wait;
using Tessera.Resp.Commands;
using Tessera.Resp.Keys;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Tests.Support;

/// <summary>
/// A session as its feature objects see it, with no client and no backend: local replies and errors are recorded
/// as RESP text, in order; the routes are a namespace with no group (or none at all).
/// </summary>
internal sealed class FakeSessionView : ISessionView, IAsyncDisposable
{
    private readonly ArrayBufferWriter<byte> _local = new(256);
    private WrittenGroups _written;

    public FakeSessionView(RespProtocol protocol = RespProtocol.Resp2, bool routes = true)
    {
        Protocol = protocol;
        Routes = routes
            ? new NamespaceRoutes(new NamespaceConfig { Name = "default" }, [], new GroupRoute?[KeySlot.Count], new SlotState[KeySlot.Count], new GroupRoute?[KeySlot.Count])
            : null;
    }

    public long Id => 7;

    public string Namespace => "default";

    public RespProtocol Protocol { get; set; }

    public ProxyContext Context { get; } = new(new ProxyOptions(), TimeProvider.System, NullLoggerFactory.Instance, openNamespaces: true);

    public FlushBatch Batch { get; } = new();

    public NamespaceRoutes? Routes { get; }

    /// <summary>Every reply the session gave, as RESP text.</summary>
    public List<string> Replies { get; } = [];

    public int Watched { get; private set; }

    public int Pauses { get; private set; }

    public Tessera.Proxy.Replies.Reply EnqueueReply() => throw new NotSupportedException("replies completed later need a real session");

    public void ReplyError(string error) => Replies.Add("-" + error + "\r\n");

    public void ReplyOk() => Replies.Add("+OK\r\n");

    public ArrayBufferWriter<byte> BeginLocal()
    {
        _local.ResetWrittenCount();
        return _local;
    }

    public void EndLocal() => Replies.Add(Encoding.Latin1.GetString(_local.WrittenSpan));

    public void Push(in ReadOnlySequence<byte> bytes, FlushBatch batch) => Replies.Add(Encoding.Latin1.GetString(bytes.ToArray()));

    public void Touch(BackendConnection connection)
    {
    }

    public NamespaceRoutes? RoutesOrError()
    {
        if (Routes is null)
        {
            ReplyError("CLUSTERDOWN no routes");
        }

        return Routes;
    }

    public void WatchRoutes() => Watched++;

    public void PauseForReplies() => Pauses++;

    public void PauseUntil(Task until) => Pauses++;

    public Task<bool> WaitForRepliesAsync(TimeSpan timeout, CancellationToken cancellationToken, Tessera.Proxy.Replies.Reply? before) => Task.FromResult(true);

    public bool ClientGone => false;

    public ref readonly WrittenGroups Written => ref _written;

    /// <summary>Groups counted as written for a later WAIT.</summary>
    public List<GroupRoute?> WritesNoted { get; } = [];

    /// <summary>No backend here: a dedicated connection is always refused, as at the proxy's limit.</summary>
    public BackendConnection? DedicatedConnection(BackendServer server)
    {
        ReplyError(Context.Dedicated.Refusal("ERR"));
        return null;
    }

    /// <summary>The slot of the command's keys, and the group that owns it (routes have none unless a test assigns one).</summary>
    public GroupRoute? SingleSlotGroup(NamespaceRoutes routes, CommandSpec spec, RequestFrame frame, out int slot)
    {
        var keys = new int[frame.Count];
        int keyCount = KeyExtractor.GetKeyIndexes(spec, frame, keys);
        slot = keyCount > 0 ? KeySlot.Of(frame.ArgSpan(keys[0])) : -1;
        if (slot < 0)
        {
            return FirstGroup(routes);
        }

        if (routes.Slots[slot] is null)
        {
            ReplyError(ClientSession.SlotNotServed(routes, slot));
        }

        return routes.Slots[slot];
    }

    public GroupRoute? FirstGroup(NamespaceRoutes routes)
    {
        if (Array.Find(routes.Slots, group => group is not null) is { } group)
        {
            return group;
        }

        ReplyError($"CLUSTERDOWN namespace '{routes.Name}' has no slot assigned to any group");
        return null;
    }

    public void NoteWriteTo(GroupRoute? group) => WritesNoted.Add(group);

    /// <summary>A request as the session's parser gives it.</summary>
    public static RequestFrame Frame(params string[] args)
    {
        var text = new StringBuilder().Append('*').Append(args.Length).Append("\r\n");
        foreach (var arg in args)
        {
            text.Append('$').Append(Encoding.Latin1.GetByteCount(arg)).Append("\r\n").Append(arg).Append("\r\n");
        }

        var frame = new RequestFrame();
        Assert.Equal(ParseStatus.Complete, RequestParser.TryParse(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(text.ToString())), frame, RespLimits.Default));
        return frame;
    }

    public ValueTask DisposeAsync() => Context.DisposeAsync();
}
