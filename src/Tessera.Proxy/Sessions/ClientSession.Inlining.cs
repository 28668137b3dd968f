using System.Net.Sockets;
using Tessera.Proxy.Net;

namespace Tessera.Proxy.Sessions;

/// <remarks>
/// Where the client's reads run. A client that sends one command per round trip is served on the
/// socket event thread (no thread switch per request; see <see cref="SocketInlining"/>). A client
/// that pipelines hands its reads to the thread pool: a pass over a big batch (parsing, splitting
/// multi-key commands) would otherwise hold up every other connection's events behind it, and the
/// switch costs little when it is shared by many commands.
/// </remarks>
internal sealed partial class ClientSession
{
    /// <summary>Read passes with at most this many commands keep the client's reads on the event thread.</summary>
    private const int InlinePassLimit = 4;

    private SocketInlining.Adaptive _inlining;

    /// <summary>Lets this session move its client's reads between the event thread and the thread pool (call before <see cref="RunAsync"/>).</summary>
    internal void EnableAdaptiveInlining(Socket socket) => _inlining.Enable(socket, InlinePassLimit);

    /// <summary>After a read pass of <paramref name="commands"/> commands: small passes stay inline, big ones go to the pool.</summary>
    private void AdaptInlining(long commands) => _inlining.Adapt(commands);
}
