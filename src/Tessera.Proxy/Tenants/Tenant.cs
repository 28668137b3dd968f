using Tessera.Proxy.Commands;

namespace Tessera.Proxy.Tenants;

/// <summary>
/// One namespace's live state on this proxy, the same object for the proxy's whole life (sessions keep a reference):
/// the settings sessions check per command, kept current from the routes, and its counters.
/// </summary>
internal sealed class Tenant
{
    private long _authFailures;
    private ulong _denied;

    public Tenant(string name) => Name = name;

    public string Name { get; }

    /// <summary>The read-only switch (<see cref="Model.Topology.NamespaceConfig.ReadOnly"/>).</summary>
    public bool ReadOnly
    {
        get => Denied != 0;
        set => Volatile.Write(ref _denied, value ? AclMask.ReadOnlyRefused : 0);
    }

    /// <summary>What the namespace denies every session of it (<see cref="AclMask"/>): the writes while read-only.</summary>
    public ulong Denied => Volatile.Read(ref _denied);

    /// <summary>The networks clients may come from (<see cref="Model.Topology.NamespaceConfig.AllowedIps"/>); empty: any.</summary>
    public IReadOnlyList<System.Net.IPNetwork> AllowedNetworks { get; set; } = [];

    /// <summary>The allow-list as configured, to see whether a new one differs.</summary>
    public IReadOnlyList<string> AllowedIps { get; set; } = [];

    /// <summary>Clients may use it without a password.</summary>
    public bool Open { get; set; }

    /// <summary>False once the namespace is gone from the proxy's routes.</summary>
    public bool Exists { get; set; }

    /// <summary>AUTHs naming this namespace that failed, since the proxy started.</summary>
    public long AuthFailures => Interlocked.Read(ref _authFailures);

    public void CountAuthFailure() => Interlocked.Increment(ref _authFailures);
}
