namespace Tessera.Store.Etcd;

/// <summary>Timeouts of an <see cref="EtcdStore"/>.</summary>
public sealed record EtcdStoreOptions
{
    /// <summary>How long one request to one endpoint may take (connect included) before the next endpoint is tried.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long one operation keeps cycling through the endpoints (an election after a member dies takes
    /// a moment) before it fails with <see cref="CoordinatorStoreException"/>.
    /// </summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Pause between rounds over all endpoints.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>etcd user to authenticate as (etcd's auth enabled); null: no authentication.</summary>
    public string? User { get; init; }

    /// <summary>The user's password; never logged, never part of <see cref="EtcdStore.Url"/>.</summary>
    public string? Password { get; init; }

    /// <summary>PEM file of the authority that signed the members' TLS certificates (etcds://…?ca=); null: the system's trust store.</summary>
    public string? CaFile { get; init; }

    /// <summary>Pause before a broken watch reconnects.</summary>
    public TimeSpan WatchReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    internal void Validate()
    {
        if (RequestTimeout <= TimeSpan.Zero || OperationTimeout < RequestTimeout || RetryDelay < TimeSpan.Zero || WatchReconnectDelay < TimeSpan.Zero)
        {
            throw new ArgumentException("EtcdStoreOptions: RequestTimeout must be positive, OperationTimeout at least RequestTimeout, delays not negative.");
        }
    }
}
