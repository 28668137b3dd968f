using Microsoft.Extensions.Logging;
using Tessera.Controller.Servers;
using Tessera.Controller.Topology;
using Tessera.Model.Api;
using Tessera.Model.Security;
using Tessera.Model.Tenants;
using Tessera.Model.Topology;

namespace Tessera.Controller.Operations;

/// <remarks>
/// A namespace's backend TLS: how proxies and controllers reach its redis-servers over TLS. Kept like the backend
/// credentials in its access document (<see cref="NamespaceAccess.BackendTls"/>, never pushed: proxies follow the store)
/// and set only once every master of the namespace accepts it: a TLS session with the namespace's CA and client
/// certificate, its backend credentials, and <c>tls-replication yes</c> and <c>tls-cluster yes</c> (which the servers'
/// own REPLICAOF and MIGRATE connections need once their peers listen on TLS ports only). Answers and logs show the
/// certificates' subjects, never the key.
/// </remarks>
internal sealed partial class TopologyOperations
{
    /// <summary>Most characters of one PEM text accepted (a long chain is a few KiB; this keeps documents sane).</summary>
    public const int MaxPemLength = 64 * 1024;

    /// <summary>The server settings backend TLS needs, each "yes", with why.</summary>
    private static readonly (string Name, string Why)[] TlsSettings =
    [
        ("tls-replication", "so a replica's sync with its master (REPLICAOF) runs over TLS"),
        ("tls-cluster", "so MIGRATE's connection to the target server runs over TLS"),
    ];

    /// <summary>The namespace's backend TLS, key masked; 404 when none is set.</summary>
    public async Task<BackendTlsView> GetBackendTlsAsync(string name, CancellationToken cancellationToken)
    {
        var valid = NamespaceRepository.ValidateName(name);
        await _namespaces.RequireAsync(valid, cancellationToken).ConfigureAwait(false);
        var (access, _) = await _namespaces.GetAccessAsync(valid, cancellationToken).ConfigureAwait(false);
        if (access.BackendTls is not { } settings)
        {
            throw OperationRefusedException.NotFound($"namespace '{valid}' has no backend TLS set (its servers are reached over plain TCP); set it with `tessera namespace set {valid} --backend-tls-ca FILE`");
        }

        BackendTlsClient tls;
        try
        {
            tls = BackendTlsClient.Create(settings);
        }
        catch (ArgumentException ex)
        {
            throw OperationRefusedException.Conflict($"namespace '{valid}''s stored backend TLS cannot be used ({ex.Message}); set it again with `tessera namespace set {valid} --backend-tls-ca FILE …`", ex);
        }

        return View(valid, tls);
    }

    /// <summary>
    /// Sets the backend TLS after checking it against every master of the namespace (409 naming the server and the
    /// problem, nothing stored); replicas are checked too, and one that cannot be is a warning.
    /// </summary>
    public Task<BackendTlsView> SetBackendTlsAsync(string name, SetBackendTlsRequest request, CancellationToken requestAborted)
    {
        var valid = NamespaceRepository.ValidateName(name);
        var tls = ValidateBackendTls(request);
        return ChangeAsync(
            async term =>
            {
                var current = await _namespaces.RequireAsync(valid, term).ConfigureAwait(false);
                var (access, revision) = await _namespaces.GetAccessAsync(valid, term).ConfigureAwait(false);
                var login = ServerLogin.Of(access.Backend, tls);
                await RequireMastersAsync(
                    current.Config,
                    master => CheckTlsServerAsync(master, login, term),
                    static problem => $"refuses it: {problem}; nothing was changed").ConfigureAwait(false);

                var warnings = new List<string>();
                foreach (var group in current.Config.Groups)
                {
                    foreach (var replica in group.Replicas)
                    {
                        if (await CheckTlsServerAsync(replica, login, term).ConfigureAwait(false) is { } problem)
                        {
                            warnings.Add($"replica {replica} of group {group.Id}: {problem}");
                        }
                    }
                }

                await _namespaces.ReplaceAccessAsync(valid, access with { BackendTls = tls.Settings }, revision, term).ConfigureAwait(false);
                _logins.Note(valid, login, ServersOf(current.Config));
                foreach (var warning in warnings)
                {
                    _logger.LogWarning("Namespace {Namespace}: {Warning}.", valid, warning);
                }

                _logger.LogInformation("Namespace {Namespace}: backend TLS set (CA {Ca}, client certificate {Client}).", valid, tls.Ca.Subject, tls.ClientCertificate?.Subject ?? "none");
                return View(valid, tls) with { Summary = $"namespace '{valid}' reaches its servers over TLS now", Warnings = warnings };
            },
            requestAborted);
    }

    /// <summary>Removes the backend TLS; 409 while a master does not answer over plain TCP (the proxies would be locked out).</summary>
    public Task<BackendTlsView> RemoveBackendTlsAsync(string name, CancellationToken requestAborted)
    {
        var valid = NamespaceRepository.ValidateName(name);
        return ChangeAsync(
            async term =>
            {
                var current = await _namespaces.RequireAsync(valid, term).ConfigureAwait(false);
                var (access, revision) = await _namespaces.GetAccessAsync(valid, term).ConfigureAwait(false);
                if (access.BackendTls is null)
                {
                    throw OperationRefusedException.NotFound($"namespace '{valid}' has no backend TLS to remove");
                }

                var login = ServerLogin.Of(access.Backend, null);
                await RequireMastersAsync(
                    current.Config,
                    master => ServerCommands.TryLoginAsync(master, login, _options.ServerTimeout, term),
                    static problem => $"does not answer over plain TCP ({problem}); nothing was changed: point the group at a plain port first, or keep TLS").ConfigureAwait(false);

                await _namespaces.ReplaceAccessAsync(valid, access with { BackendTls = null }, revision, term).ConfigureAwait(false);
                _logins.Note(valid, login, ServersOf(current.Config));
                _logger.LogInformation("Namespace {Namespace}: backend TLS removed.", valid);
                return new BackendTlsView(valid, null, null, Summary: $"namespace '{valid}' reaches its servers over plain TCP now");
            },
            requestAborted);
    }

    /// <summary>
    /// Null when <paramref name="address"/> takes <paramref name="login"/> (TLS session, AUTH, PING) and has every setting
    /// of <see cref="TlsSettings"/> on; else the problem in words, saying what to change.
    /// </summary>
    private async Task<string?> CheckTlsServerAsync(string address, ServerLogin? login, CancellationToken term)
    {
        if (await ServerCommands.TryLoginAsync(address, login, _options.ServerTimeout, term).ConfigureAwait(false) is { } refused)
        {
            return $"TLS with the given CA and client certificate fails ({refused})";
        }

        foreach (var (setting, why) in TlsSettings)
        {
            var (value, problem) = await ServerCommands.TryConfigGetAsync(address, login, setting, _options.ServerTimeout, term).ConfigureAwait(false);
            if (problem is not null)
            {
                return $"cannot read {setting} ({problem}); backend TLS needs it set to yes {why}";
            }

            if (!string.Equals(value, "yes", StringComparison.OrdinalIgnoreCase))
            {
                return $"{setting} is '{value}', it must be yes {why}: run CONFIG SET {setting} yes on it (and put `{setting} yes` in its config file)";
            }
        }

        return null;
    }

    private static BackendTlsView View(string ns, BackendTlsClient tls) => new(
        ns,
        tls.Ca.Subject,
        tls.Ca.NotAfter.ToUniversalTime(),
        tls.ClientCertificate?.Subject,
        tls.ClientCertificate?.NotAfter.ToUniversalTime(),
        tls.ClientCertificate is null ? null : BackendCredentials.Masked,
        tls.Settings.ServerName);

    /// <summary>400 saying what is wrong with the PEM texts or the server name; the parsed TLS otherwise.</summary>
    private static BackendTlsClient ValidateBackendTls(SetBackendTlsRequest request)
    {
        if (request.CaCertificate is not { Length: > 0 } ca)
        {
            throw OperationRefusedException.BadRequest("""a CA certificate is required: {"caCertificate": "-----BEGIN CERTIFICATE-----…"} (and "clientCertificate" with "clientKey" for servers with tls-auth-clients yes); to remove backend TLS, DELETE it (`tessera namespace set NS --no-backend-tls`)""");
        }

        foreach (var (text, what) in new[] { (ca, "caCertificate"), (request.ClientCertificate, "clientCertificate"), (request.ClientKey, "clientKey") })
        {
            if (text is { Length: > MaxPemLength })
            {
                throw OperationRefusedException.BadRequest($"{what} is longer than {MaxPemLength} characters; give the PEM text of the certificate (or key) alone");
            }
        }

        var serverName = request.ServerName is "" ? null : request.ServerName;
        if (serverName is not null && (serverName.Length > 253 || serverName.Any(static c => char.IsControl(c) || char.IsWhiteSpace(c))))
        {
            throw OperationRefusedException.BadRequest($"'{serverName}' is not a server name: give the DNS name (or IP) the servers' certificates carry, without spaces");
        }

        try
        {
            return BackendTlsClient.Create(new BackendTls
            {
                CaCertificate = ca,
                ClientCertificate = request.ClientCertificate is "" ? null : request.ClientCertificate,
                ClientKey = request.ClientKey is "" ? null : request.ClientKey,
                ServerName = serverName,
            });
        }
        catch (ArgumentException ex)
        {
            throw OperationRefusedException.BadRequest(ex.Message);
        }
    }
}
