using Tessera.Proxy.Replies;

namespace Tessera.Proxy.Backends;

/// <summary>A request sent on a backend connection and not answered yet, with when it was queued (a TimeProvider timestamp, for request timeouts).</summary>
internal readonly record struct InFlightRequest(BackendRequest Request, long QueuedAt);
