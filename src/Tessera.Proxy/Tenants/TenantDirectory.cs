using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Text;
using Tessera.Model.Tenants;
using Tessera.Proxy.Commands;
using Tessera.Proxy.Routing;

namespace Tessera.Proxy.Tenants;

/// <summary>
/// Every namespace's users as this proxy knows them (from the store's access documents) and every namespace's live
/// <see cref="Tenant"/>: AUTH asks it who a password belongs to, and it tells sessions when a namespace's users
/// change (<see cref="AccessChanged"/>).
/// </summary>
internal sealed class TenantDirectory
{
    private readonly ConcurrentDictionary<string, Tenant> _tenants = new(StringComparer.Ordinal);
    private readonly object _writeLock = new();
    private FrozenDictionary<string, TenantUsers> _users = FrozenDictionary<string, TenantUsers>.Empty;
    private FrozenDictionary<string, Tenant> _byCertificate = FrozenDictionary<string, Tenant>.Empty;

    private readonly TimeProvider _time;
    private int _proxies = 1;

    /// <param name="allOpen">True for a proxy serving a topology file: it has no users, so every namespace is open.</param>
    /// <param name="time">The clock of the quota buckets.</param>
    public TenantDirectory(bool allOpen, TimeProvider time)
    {
        AllOpen = allOpen;
        _time = time;
    }

    /// <summary>
    /// Live proxies sharing the namespaces' limits (this one included): each enforces limit ÷ this. Set from the store's
    /// proxy registrations, so a limit is re-divided when proxies join or leave.
    /// </summary>
    public int Proxies
    {
        get => Volatile.Read(ref _proxies);
        set
        {
            int proxies = Math.Max(1, value);
            if (Interlocked.Exchange(ref _proxies, proxies) != proxies)
            {
                foreach (var tenant in _tenants.Values)
                {
                    ApplyQuota(tenant, tenant.Quota);
                }
            }
        }
    }

    public bool AllOpen { get; }

    /// <summary>Raised with a namespace's name after its users or its allow-list changed; sessions of it re-check who they are.</summary>
    public event Action<string>? AccessChanged;

    /// <summary>The namespace's live state (made on first use; the same object afterwards).</summary>
    /// <summary>Every namespace this proxy has seen (for metrics).</summary>
    public IEnumerable<Tenant> All => _tenants.Values;

    public Tenant Get(string name) => _tenants.GetOrAdd(name, static n => new Tenant(n));

    /// <summary>
    /// Takes the settings sessions check from the routes now served; a namespace whose allow-list changed raises
    /// <see cref="AccessChanged"/>, so that its live sessions from addresses no longer allowed are closed.
    /// </summary>
    public void ApplyRoutes(RoutingSnapshot snapshot)
    {
        var changed = new List<string>();
        var byCertificate = new Dictionary<string, Tenant>(StringComparer.Ordinal);
        foreach (var tenant in _tenants.Values)
        {
            if (!snapshot.Namespaces.ContainsKey(tenant.Name))
            {
                tenant.Exists = false;
                tenant.Open = false;
            }
        }

        foreach (var routes in snapshot.Namespaces.Values)
        {
            var tenant = Get(routes.Name);
            tenant.ReadOnly = routes.Config.ReadOnly;
            tenant.Open = AllOpen || routes.Config.Open;
            tenant.Exists = true;
            if (tenant.RequireTls != routes.Config.RequireTls || !tenant.ClientCertificates.SequenceEqual(routes.Config.ClientCertificates, StringComparer.Ordinal))
            {
                tenant.RequireTls = routes.Config.RequireTls;
                tenant.ClientCertificates = routes.Config.ClientCertificates;
                changed.Add(tenant.Name);
            }

            foreach (var identity in routes.Config.ClientCertificates)
            {
                byCertificate.TryAdd(identity, tenant);
            }

            if (!Equals(tenant.Quota, routes.Config.Quota))
            {
                ApplyQuota(tenant, routes.Config.Quota);
            }

            if (!tenant.AllowedIps.SequenceEqual(routes.Config.AllowedIps, StringComparer.Ordinal))
            {
                // The routes passed TopologyValidator, which refuses any entry AllowList cannot parse.
                tenant.AllowedNetworks = [.. routes.Config.AllowedIps.Select(e => AllowList.Parse(e, out _)).OfType<System.Net.IPNetwork>()];
                tenant.AllowedIps = routes.Config.AllowedIps;
                changed.Add(tenant.Name);
            }
        }

        Volatile.Write(ref _byCertificate, byCertificate.ToFrozenDictionary(StringComparer.Ordinal));
        foreach (var name in changed.Distinct(StringComparer.Ordinal))
        {
            AccessChanged?.Invoke(name);
        }
    }

    /// <summary>
    /// The session user a verified client certificate with <paramref name="identities"/> binds to (the first identity a
    /// namespace lists: subject, SAN names, then fingerprint), or null when no namespace lists any of them.
    /// </summary>
    public SessionUser? ByCertificate(IReadOnlyList<string> identities)
    {
        var byCertificate = Volatile.Read(ref _byCertificate);
        if (byCertificate.Count == 0)
        {
            return null;
        }

        foreach (var identity in identities)
        {
            if (byCertificate.TryGetValue(identity, out var tenant) && tenant.Exists)
            {
                return new SessionUser(tenant, "default", 0, viaOpenNamespace: false) { Certificate = identity };
            }
        }

        return null;
    }

    /// <summary>Sets <paramref name="tenant"/>'s share of <paramref name="quota"/> on this proxy.</summary>
    private void ApplyQuota(Tenant tenant, Model.Topology.NamespaceQuota? quota)
    {
        lock (tenant)
        {
            int proxies = Proxies;
            tenant.Quota = quota;
            tenant.Ops = Bucket(tenant.Ops, quota?.OpsPerSecond, proxies);
            tenant.BytesIn = Bucket(tenant.BytesIn, quota?.BytesInPerSecond, proxies);
            tenant.BytesOut = Bucket(tenant.BytesOut, quota?.BytesOutPerSecond, proxies);
            tenant.MaxRequestBytes = quota?.MaxRequestBytes ?? 0;
            tenant.MaxConnections = quota?.MaxConnections is > 0 and var max ? Math.Max(1, (max + proxies - 1) / proxies) : 0;
            tenant.Limited = tenant.Ops is not null || tenant.BytesIn is not null || tenant.BytesOut is not null || tenant.MaxRequestBytes > 0;
        }
    }

    private QuotaBucket? Bucket(QuotaBucket? current, long? limit, int proxies)
    {
        if (limit is not > 0)
        {
            return null;
        }

        double share = (double)limit.Value / proxies;
        if (current is null)
        {
            return new QuotaBucket(_time, share);
        }

        current.SetRate(share);
        return current;
    }

    /// <summary>Replaces a namespace's users (null: it has none, or it is gone).</summary>
    public void SetAccess(string ns, NamespaceAccess? access)
    {
        lock (_writeLock)
        {
            var next = new Dictionary<string, TenantUsers>(_users, StringComparer.Ordinal);
            if (access is null || access.Users.Count == 0 || access.Salt.Length == 0)
            {
                next.Remove(ns);
            }
            else
            {
                next[ns] = new TenantUsers(access);
            }

            Volatile.Write(ref _users, next.ToFrozenDictionary(StringComparer.Ordinal));
        }

        AccessChanged?.Invoke(ns);
    }

    /// <summary>
    /// Who <c>AUTH [name] password</c> makes a session. <paramref name="name"/> empty: the password alone names the
    /// user (passwords are unique across the store). Otherwise "namespace" (any of its users, by password) or
    /// "namespace.user". An open namespace admits any password as its unrestricted "default" user.
    /// </summary>
    /// <returns>The session's new user, or null when the name and password admit nobody.</returns>
    public SessionUser? Authenticate(ReadOnlySpan<byte> name, ReadOnlySpan<byte> password)
    {
        var users = Volatile.Read(ref _users);
        if (name.IsEmpty)
        {
            foreach (var (owner, tenantUsers) in users)
            {
                if (tenantUsers.Find(password) is { } found && Get(owner) is { Exists: true } tenant)
                {
                    return Bind(tenant, found);
                }
            }

            return null;
        }

        string text = Encoding.UTF8.GetString(name);
        string ns = text;
        string? user = null;
        if (!_tenants.TryGetValue(text, out var named) || !named.Exists)
        {
            int dot = text.LastIndexOf('.');
            if (dot > 0 && dot < text.Length - 1)
            {
                ns = text[..dot];
                user = text[(dot + 1)..];
            }
        }

        if (!_tenants.TryGetValue(ns, out var target) || !target.Exists)
        {
            return null;
        }

        if (users.TryGetValue(ns, out var candidates) && candidates.Find(password) is { } match && (user is null || match.Name == user))
        {
            return Bind(target, match);
        }

        if (target.Open && user is null or "default")
        {
            return new SessionUser(target, "default", 0, viaOpenNamespace: true);
        }

        target.CountAuthFailure();
        return null;
    }

    /// <summary>The session user of an open namespace, or null when <paramref name="ns"/> is not open here.</summary>
    public SessionUser? OpenUser(string ns) =>
        _tenants.TryGetValue(ns, out var tenant) && tenant is { Exists: true, Open: true }
            ? new SessionUser(tenant, "default", 0, viaOpenNamespace: true)
            : null;

    /// <summary>
    /// What <paramref name="current"/> is now that its namespace's users changed: the same user with its new
    /// permissions, or null when the user is gone (its sessions are closed, as Redis closes a deleted user's).
    /// </summary>
    public SessionUser? Refresh(SessionUser current)
    {
        if (current.ViaOpenNamespace)
        {
            return current;
        }

        if (current.Certificate is { } identity)
        {
            return current.Tenant.Exists && current.Tenant.ClientCertificates.Contains(identity, StringComparer.Ordinal) ? current : null;
        }

        var users = Volatile.Read(ref _users);
        return users.TryGetValue(current.Namespace, out var tenantUsers) && tenantUsers.Access.Find(current.Name) is { } user
            ? Bind(current.Tenant, user)
            : null;
    }

    /// <summary>True when some namespace has users (AUTH &lt;password&gt; then means one of them).</summary>
    public bool HasUsers => Volatile.Read(ref _users).Count > 0;

    private static SessionUser Bind(Tenant tenant, NamespaceUser user) => new(tenant, user.Name, AclMask.Denied(user), viaOpenNamespace: false);

    /// <summary>One namespace's users, by password hash.</summary>
    private sealed class TenantUsers
    {
        private readonly byte[] _key;
        private readonly FrozenDictionary<string, NamespaceUser> _byHash;

        public TenantUsers(NamespaceAccess access)
        {
            Access = access;
            _key = Convert.FromBase64String(access.Salt);
            var byHash = new Dictionary<string, NamespaceUser>(StringComparer.Ordinal);
            foreach (var user in access.Users)
            {
                foreach (var hash in user.Passwords)
                {
                    byHash[hash] = user;
                }
            }

            _byHash = byHash.ToFrozenDictionary(StringComparer.Ordinal);
        }

        public NamespaceAccess Access { get; }

        public NamespaceUser? Find(ReadOnlySpan<byte> password) => _byHash.GetValueOrDefault(PasswordHash.Compute(_key, password));
    }
}
