namespace Tessera.Proxy.Stats;

/// <summary>
/// Process-wide counters shown by INFO. Sessions add their command counts once per read pass
/// (not once per command) so the shared cache line is touched rarely.
/// </summary>
internal sealed class ProxyStats
{
    private long _commands;
    private long _connectionsReceived;
    private long _connectedClients;
    private long _rejectedConnections;
    private long _protocolErrors;
    private long _backendFailures;
    private long _replicaReads;

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>The metrics instruments (null until the proxy is built), for the recorders that only reach these counters.</summary>
    public ProxyMetrics? Metrics { get; set; }

    public long Commands => Interlocked.Read(ref _commands);

    public long ConnectionsReceived => Interlocked.Read(ref _connectionsReceived);

    public long ConnectedClients => Interlocked.Read(ref _connectedClients);

    public long RejectedConnections => Interlocked.Read(ref _rejectedConnections);

    public long ProtocolErrors => Interlocked.Read(ref _protocolErrors);

    public long BackendFailures => Interlocked.Read(ref _backendFailures);

    public void AddCommands(long count) => Interlocked.Add(ref _commands, count);

    /// <summary>Read-only commands sent to a replica instead of a master.</summary>
    public long ReplicaReads => Interlocked.Read(ref _replicaReads);

    public void AddReplicaReads(long count) => Interlocked.Add(ref _replicaReads, count);

    public long ClientConnected()
    {
        Interlocked.Increment(ref _connectionsReceived);
        return Interlocked.Increment(ref _connectedClients);
    }

    public void ClientDisconnected() => Interlocked.Decrement(ref _connectedClients);

    public void ConnectionRejected() => Interlocked.Increment(ref _rejectedConnections);

    public void ProtocolError() => Interlocked.Increment(ref _protocolErrors);

    /// <summary>Called with a backend's address and what went wrong whenever one of its connections fails.</summary>
    public event Action<string, string>? BackendFailed;

    public void BackendFailure(string address, string reason)
    {
        Interlocked.Increment(ref _backendFailures);
        BackendFailed?.Invoke(address, reason);
    }
}
