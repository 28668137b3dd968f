using System.IO.Pipelines;
using System.Net.Sockets;
using Tessera.Proxy.Net;
using Tessera.Proxy.Replies;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Backends;

internal sealed partial class BackendConnection
{
    /// <summary>One socket's lifetime: its outgoing pipe, its in-flight requests, its reply scanner state.</summary>
    private sealed class Link
    {
        public readonly Pipe Output = new(new PipeOptions(
            pool: BlockMemoryPool.Shared,
            pauseWriterThreshold: 0,
            resumeWriterThreshold: 0,
            minimumSegmentSize: BlockMemoryPool.BlockSize,

            // The send loop continues inline on the thread that flushes (a session ending its read
            // pass), so a batch of commands goes to the socket without a thread hop. It runs under
            // the connection's lock only until the socket send completes or would block.
            readerScheduler: PipeScheduler.Inline,
            writerScheduler: PipeScheduler.Inline,
            useSynchronizationContext: false));

        public readonly Ring<InFlightRequest> InFlight = new(64);
        public ReplyScanState Scan;
        public Socket? Socket;

        /// <summary>The TLS session over <see cref="Socket"/> when the namespace has backend TLS; then every byte goes through it.</summary>
        public System.Net.Security.SslStream? Tls;

        /// <summary>The login this link was started with (its TLS, for messages).</summary>
        public BackendLogin? Login;

        /// <summary>True once a reply arrived: a TLS link that ends before one was most likely refused our certificate.</summary>
        public bool Answered;

        /// <summary>
        /// Set when the namespace's TLS changed: new commands go to a new link, and this one closes once it answered what
        /// it carries (guarded by the connection's lock).
        /// </summary>
        public bool Retired;

        public volatile bool Dead;

        /// <summary>Requests at the head of <see cref="InFlight"/> already handed to the send loop (guarded by the connection's lock).</summary>
        public int SentUnanswered;

        /// <summary>
        /// The server's -BUSY text (without '-') while this link's oldest request is a script the server is still
        /// running past the request timeout; null otherwise. Guarded by the connection's lock.
        /// </summary>
        public string? BusyReply;

        /// <summary>Where the socket's completions run (adapted by the receive loop only).</summary>
        public SocketInlining.Adaptive Inlining;
    }
}
