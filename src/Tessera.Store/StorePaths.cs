using System.Globalization;

namespace Tessera.Store;

/// <summary>
/// Every key path Tessera keeps in the coordinator store, in one place. Nothing else builds store keys
/// by hand: add a method here when a new kind of record appears.
/// </summary>
/// <remarks>
/// Layout (values are JSON documents):
/// <code>
/// /tessera/namespaces/{ns}                                namespace settings
/// /tessera/namespaces/{ns}/epoch                          the namespace's topology epoch
/// /tessera/namespaces/{ns}/slots                          the 1024-slot table
/// /tessera/namespaces/{ns}/groups/{gid}                   one group: master, replicas, zones
/// /tessera/namespaces/{ns}/access                         its users (password hashes, permissions), never pushed to proxies
/// /tessera/proxies/{id}                                   proxy registration (ephemeral, leased)
/// /tessera/controller/leader                              the leader lock (ephemeral, leased)
/// /tessera/controller/members/{controller}                live controllers (ephemeral, leased)
/// /tessera/controller/opinions/{controller}/{server}      "server is down" opinions (ephemeral, leased)
/// /tessera/controller/events                              the bounded list of failure-detection and failover events
/// /tessera/controller/failovers/{ns}/{gid}                a group's latest failover (written before it starts)
/// /tessera/migrations/{ns}/{id}                           a slot migration and its progress
/// /tessera/security/tokens/{name}                         an API token: name, role, SHA-256 of the secret (never the secret)
/// /tessera/security/cluster-secret                        the secret controllers and proxies authenticate each other with
/// /tessera/security/audit                                 the bounded list of admin changes (who, what, result)
/// </code>
/// Names used as path segments (namespaces, ids, servers) are checked by <see cref="ValidateName"/>.
/// </remarks>
public static class StorePaths
{
    /// <summary>Everything Tessera stores is below this prefix.</summary>
    public const string Root = "/tessera/";

    /// <summary>Prefix of all namespaces and everything inside them.</summary>
    public const string Namespaces = "/tessera/namespaces/";

    /// <summary>Prefix of proxy registrations.</summary>
    public const string Proxies = "/tessera/proxies/";

    /// <summary>Prefix of everything the controllers keep about themselves.</summary>
    public const string Controller = "/tessera/controller/";

    /// <summary>The leader lock: created with a lease by the controller that leads.</summary>
    public const string ControllerLeader = "/tessera/controller/leader";

    /// <summary>Prefix of live-controller registrations.</summary>
    public const string ControllerMembers = "/tessera/controller/members/";

    /// <summary>Prefix of every controller's opinions about servers.</summary>
    public const string ControllerOpinions = "/tessera/controller/opinions/";

    /// <summary>The controllers' event list (one document, bounded).</summary>
    public const string ControllerEvents = "/tessera/controller/events";

    /// <summary>Prefix of the failover records.</summary>
    public const string Failovers = "/tessera/controller/failovers/";

    /// <summary>Prefix of all migrations.</summary>
    public const string Migrations = "/tessera/migrations/";

    /// <summary>The alert rules and webhooks (one document; absent: the defaults).</summary>
    public const string AlertSettings = "/tessera/alerts/settings";

    /// <summary>The alerts pending and firing as the leader last evaluated them (one document), so a new leader goes on from them.</summary>
    public const string ActiveAlerts = "/tessera/alerts/active";

    /// <summary>Prefix of everything about who may do what: tokens, the cluster secret, the audit log.</summary>
    public const string Security = "/tessera/security/";

    /// <summary>Prefix of the API tokens (one document per token, holding its hash, never the token itself).</summary>
    public const string Tokens = "/tessera/security/tokens/";

    /// <summary>
    /// The cluster secret: created once by the first controller (create-if-absent), sent by controllers on every
    /// call to a proxy's admin API and by proxies on their health reports to the controller.
    /// </summary>
    public const string ClusterSecret = "/tessera/security/cluster-secret";

    /// <summary>The audit log of admin changes (one document, bounded).</summary>
    public const string AuditLog = "/tessera/security/audit";

    /// <summary>One API token's record.</summary>
    public static string Token(string name) => Tokens + ValidateName(name, nameof(name));

    /// <summary>A namespace's settings document.</summary>
    public static string Namespace(string ns) => Namespaces + ValidateName(ns, nameof(ns));

    /// <summary>Prefix of everything inside a namespace (its groups, slots, epoch).</summary>
    public static string NamespaceContents(string ns) => Namespace(ns) + "/";

    /// <summary>The namespace's topology epoch.</summary>
    public static string Epoch(string ns) => Namespace(ns) + "/epoch";

    /// <summary>The namespace's slot table.</summary>
    public static string Slots(string ns) => Namespace(ns) + "/slots";

    /// <summary>The namespace's users: password hashes and permissions, read by proxies from the store, never pushed.</summary>
    public static string Access(string ns) => Namespace(ns) + "/access";

    /// <summary>The namespace's fresh replicas (which may serve reads), written by the leading controller.</summary>
    public static string Reads(string ns) => Namespace(ns) + "/reads";

    /// <summary>Prefix of the namespace's groups.</summary>
    public static string Groups(string ns) => Namespace(ns) + "/groups/";

    /// <summary>One group of the namespace.</summary>
    public static string Group(string ns, int groupId)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(groupId);
        return Groups(ns) + groupId.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A proxy's registration.</summary>
    public static string Proxy(string proxyId) => Proxies + ValidateName(proxyId, nameof(proxyId));

    /// <summary>A group's latest failover record.</summary>
    public static string Failover(string ns, int groupId)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(groupId);
        return Failovers + ValidateName(ns, nameof(ns)) + "/" + groupId.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A live controller's registration.</summary>
    public static string ControllerMember(string controllerId) => ControllerMembers + ValidateName(controllerId, nameof(controllerId));

    /// <summary>Prefix of one controller's opinions.</summary>
    public static string ControllerOpinionsOf(string controllerId) => ControllerOpinions + ValidateName(controllerId, nameof(controllerId)) + "/";

    /// <summary>What <paramref name="controllerId"/> thinks of <paramref name="server"/> ("host:port").</summary>
    public static string ControllerOpinion(string controllerId, string server) => ControllerOpinionsOf(controllerId) + ValidateName(server, nameof(server));

    /// <summary>Prefix of one namespace's migrations.</summary>
    public static string MigrationsOf(string ns) => Migrations + ValidateName(ns, nameof(ns)) + "/";

    /// <summary>One migration of a namespace.</summary>
    public static string Migration(string ns, string migrationId) => MigrationsOf(ns) + ValidateName(migrationId, nameof(migrationId));

    /// <summary>The namespace whose access document <paramref name="key"/> is (<see cref="Access"/>), if it is one.</summary>
    public static bool TryGetAccessNamespace(string key, out string ns) => TryGetNamespaceDocument(key, "/access", out ns);

    /// <summary>True when <paramref name="key"/> is a namespace's fresh-replica document (<see cref="Reads"/>), with its namespace.</summary>
    public static bool TryGetReadsNamespace(string key, out string ns) => TryGetNamespaceDocument(key, "/reads", out ns);

    private static bool TryGetNamespaceDocument(string key, string suffix, out string ns)
    {
        ArgumentNullException.ThrowIfNull(key);
        ns = "";
        if (!key.StartsWith(Namespaces, StringComparison.Ordinal) || !key.EndsWith(suffix, StringComparison.Ordinal) || key.Length <= Namespaces.Length + suffix.Length)
        {
            return false;
        }

        var name = key[Namespaces.Length..^suffix.Length];
        if (name.Contains('/', StringComparison.Ordinal))
        {
            return false;
        }

        ns = name;
        return true;
    }

    /// <summary>
    /// The segment of <paramref name="key"/> right after <paramref name="prefix"/> when the key is a direct
    /// child of it ("/tessera/namespaces/" + "default" → "default", but not ".../default/slots").
    /// </summary>
    public static bool TryGetChildName(string prefix, string key, out string name)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(key);
        name = "";
        if (!prefix.EndsWith('/') || key.Length <= prefix.Length || !key.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        if (key.IndexOf('/', prefix.Length) >= 0)
        {
            return false;
        }

        name = key[prefix.Length..];
        return true;
    }

    /// <summary>
    /// Checks a name used as one path segment: 1–200 characters of letters, digits and <c>- _ . : @</c>
    /// (enough for host:port, ids and namespace names), not "." or "..".
    /// </summary>
    public static string ValidateName(string name, string parameterName = "name")
    {
        ArgumentNullException.ThrowIfNull(name, parameterName);
        bool ok = name.Length is > 0 and <= 200 && name != "." && name != "..";
        foreach (char c in name)
        {
            ok &= char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '@';
        }

        if (!ok)
        {
            throw new ArgumentException($"\"{name}\" cannot be used as a {parameterName}: use 1–200 letters, digits or - _ . : @ (no '/', no spaces).", parameterName);
        }

        return name;
    }
}
