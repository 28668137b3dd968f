using System.Collections.Frozen;
using System.Text.Json;
using Tessera.Model.Api;
using Tessera.Model.Proxies;

namespace Tessera.Model.Security;

/// <summary>
/// The API tokens and the cluster secret as read from the store at one moment: immutable, swapped whole by its
/// holder (the controller's credentials, the proxy's store agent), so checking a request is one hash and one
/// dictionary lookup. Keyed by the token's SHA-256: looking up by hash reveals nothing about a stored token, and
/// the hash found is compared again in constant time before it counts.
/// </summary>
public sealed class CredentialSet
{
    /// <summary>The cluster secret's store key, for messages (Model does not depend on the store's path table).</summary>
    private const string ClusterSecretKey = "/tessera/security/cluster-secret";

    private readonly FrozenDictionary<string, StoredToken> _byHash;

    private CredentialSet(FrozenDictionary<string, StoredToken> byHash, string? clusterSecret)
    {
        _byHash = byHash;
        ClusterSecret = clusterSecret;
    }

    /// <summary>No tokens, no secret: what a process knows before it has read the store.</summary>
    public static CredentialSet Empty { get; } = new(FrozenDictionary<string, StoredToken>.Empty, null);

    /// <summary>The cluster secret, or null when the store has none (yet).</summary>
    public string? ClusterSecret { get; }

    /// <summary>How many tokens grant something.</summary>
    public int TokenCount => _byHash.Count;

    /// <summary>
    /// Builds a set from the token records' JSON and the cluster secret's (null when absent). Records that are
    /// unreadable or name an unknown role grant nothing and are passed to <paramref name="unreadable"/> (with a
    /// reason) for the caller's log.
    /// </summary>
    public static CredentialSet From(IEnumerable<KeyValuePair<string, string>> tokenRecords, string? clusterSecretJson, Action<string, string> unreadable)
    {
        ArgumentNullException.ThrowIfNull(tokenRecords);
        ArgumentNullException.ThrowIfNull(unreadable);
        var byHash = new Dictionary<string, StoredToken>(StringComparer.Ordinal);
        foreach (var (key, json) in tokenRecords)
        {
            if (StoredToken.Parse(json) is { ParsedRole: not null } token)
            {
                byHash[token.Hash] = token;
            }
            else
            {
                unreadable(key, "unreadable, or it names an unknown role");
            }
        }

        string? secret = null;
        if (clusterSecretJson is not null)
        {
            try
            {
                secret = JsonSerializer.Deserialize<ClusterSecretDocument>(clusterSecretJson, TesseraJson.Options)?.Secret is { Length: > 0 } read ? read : null;
                if (secret is null)
                {
                    unreadable(ClusterSecretKey, "it holds no secret");
                }
            }
            catch (JsonException e)
            {
                unreadable(ClusterSecretKey, e.Message);
            }
        }

        return new CredentialSet(byHash.ToFrozenDictionary(StringComparer.Ordinal), secret);
    }

    /// <summary>The token <paramref name="presented"/> is, or null when no stored token has its hash.</summary>
    public StoredToken? Authenticate(string presented)
    {
        var hash = TokenSecrets.Hash(presented);
        return _byHash.TryGetValue(hash, out var token) && TokenSecrets.FixedTimeEquals(token.Hash, hash) ? token : null;
    }

    /// <summary>True when <paramref name="presented"/> is the cluster secret (constant-time comparison).</summary>
    public bool IsClusterSecret(string presented) =>
        ClusterSecret is { } secret && TokenSecrets.FixedTimeEquals(secret, presented);
}
