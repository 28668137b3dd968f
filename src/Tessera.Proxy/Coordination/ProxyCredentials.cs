using Tessera.Model.Security;

namespace Tessera.Proxy.Coordination;

/// <summary>
/// What the proxy's admin API checks callers against: the cluster secret and the API tokens as the
/// <see cref="StoreAgent"/> last read them from the store (swapped whole), or, for a proxy serving a topology file,
/// nothing (it has no store: its routes come from the file, and only reads are answered).
/// </summary>
internal sealed class ProxyCredentials
{
    private CredentialSet _current = CredentialSet.Empty;

    /// <param name="fromStore">True for a proxy that takes its routes from the store; false for a topology file.</param>
    public ProxyCredentials(bool fromStore) => FromStore = fromStore;

    /// <summary>True when routes come from the store (and pushes from controllers); false for a topology file.</summary>
    public bool FromStore { get; }

    /// <summary>The secret and tokens as last read (empty before the first read).</summary>
    public CredentialSet Current
    {
        get => Volatile.Read(ref _current);
        set => Volatile.Write(ref _current, value);
    }
}
