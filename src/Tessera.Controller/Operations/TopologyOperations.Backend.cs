using Microsoft.Extensions.Logging;
using Tessera.Controller.Servers;
using Tessera.Controller.Topology;
using Tessera.Model.Api;
using Tessera.Model.Tenants;
using Tessera.Model.Topology;

namespace Tessera.Controller.Operations;

/// <remarks>
/// A namespace's backend credentials: how proxies and controllers log in to its redis-servers. Written to its access
/// document (<see cref="NamespaceAccess.Backend"/>, never pushed: proxies follow the store), one change at a time like
/// every other change, and only once every master of the namespace accepts them, so setting them never locks the
/// proxies out. Answers and log lines name the user, never the password.
/// </remarks>
internal sealed partial class TopologyOperations
{
    /// <summary>Longest backend password accepted (Redis itself has no limit; this keeps documents and commands sane).</summary>
    public const int MaxBackendPasswordLength = 512;

    /// <summary>The namespace's backend credentials, password masked; 404 when none are set.</summary>
    public async Task<BackendCredentialsView> GetBackendCredentialsAsync(string name, CancellationToken cancellationToken)
    {
        var valid = NamespaceRepository.ValidateName(name);
        await _namespaces.RequireAsync(valid, cancellationToken).ConfigureAwait(false);
        var (access, _) = await _namespaces.GetAccessAsync(valid, cancellationToken).ConfigureAwait(false);
        return access.Backend is { } backend
            ? new BackendCredentialsView(valid, backend.User)
            : throw OperationRefusedException.NotFound($"namespace '{valid}' has no backend credentials set (its servers need no password); set them with `tessera namespace set {valid} --backend-password …`");
    }

    /// <summary>
    /// Sets the credentials after checking them against every master of the namespace (409 naming the server that
    /// refuses them, nothing stored), then points the replicas' masterauth at them.
    /// </summary>
    public Task<BackendCredentialsView> SetBackendCredentialsAsync(string name, SetBackendCredentialsRequest request, CancellationToken requestAborted)
    {
        var valid = NamespaceRepository.ValidateName(name);
        var login = ValidateBackendCredentials(request);
        return ChangeAsync(
            async term =>
            {
                var current = await _namespaces.RequireAsync(valid, term).ConfigureAwait(false);
                var (access, revision) = await _namespaces.GetAccessAsync(valid, term).ConfigureAwait(false);
                var serverLogin = ServerLogin.Of(access with { Backend = login });
                await RequireMastersAsync(
                    current.Config,
                    master => ServerCommands.TryLoginAsync(master, serverLogin, _options.ServerTimeout, term),
                    static problem => $"does not accept these credentials ({problem}); nothing was changed: give the password its requirepass (or the ACL user's) is set to").ConfigureAwait(false);

                await _namespaces.ReplaceAccessAsync(valid, access with { Backend = login }, revision, term).ConfigureAwait(false);
                _logins.Note(valid, serverLogin, ServersOf(current.Config));
                var warnings = await PointReplicasAsync(current.Config, serverLogin, term).ConfigureAwait(false);
                var who = login.User is null ? "the default user" : $"user '{login.User}'";
                _logger.LogInformation("Namespace {Namespace}: backend credentials set ({Who}).", valid, who);
                return new BackendCredentialsView(valid, login.User, Summary: $"namespace '{valid}' logs in to its servers as {who} now", Warnings: warnings);
            },
            requestAborted);
    }

    /// <summary>Removes the credentials; 409 while a master still wants a password (the proxies would be locked out).</summary>
    public Task<BackendCredentialsView> RemoveBackendCredentialsAsync(string name, CancellationToken requestAborted)
    {
        var valid = NamespaceRepository.ValidateName(name);
        return ChangeAsync(
            async term =>
            {
                var current = await _namespaces.RequireAsync(valid, term).ConfigureAwait(false);
                var (access, revision) = await _namespaces.GetAccessAsync(valid, term).ConfigureAwait(false);
                if (access.Backend is null)
                {
                    throw OperationRefusedException.NotFound($"namespace '{valid}' has no backend credentials to remove");
                }

                var serverLogin = ServerLogin.Of(access with { Backend = null });
                await RequireMastersAsync(
                    current.Config,
                    master => ServerCommands.TryLoginAsync(master, serverLogin, _options.ServerTimeout, term),
                    static problem => $"does not answer without a password ({problem}); nothing was changed: remove its requirepass first (CONFIG SET requirepass \"\"), then the credentials").ConfigureAwait(false);

                await _namespaces.ReplaceAccessAsync(valid, access with { Backend = null }, revision, term).ConfigureAwait(false);
                _logins.Note(valid, serverLogin, ServersOf(current.Config));
                var warnings = await PointReplicasAsync(current.Config, serverLogin, term).ConfigureAwait(false);
                _logger.LogInformation("Namespace {Namespace}: backend credentials removed.", valid);
                return new BackendCredentialsView(valid, null, Summary: $"namespace '{valid}' logs in to its servers without a password now", Warnings: warnings);
            },
            requestAborted);
    }

    /// <summary>
    /// The check before a change of how servers are reached (backend credentials, backend TLS): every master of
    /// <paramref name="ns"/> must pass <paramref name="check"/> (null: it did), else 409 naming the first that does not,
    /// with <paramref name="refusal"/>'s words for its problem, and the change is not made.
    /// </summary>
    private static async Task RequireMastersAsync(NamespaceConfig ns, Func<string, Task<string?>> check, Func<string, string> refusal)
    {
        foreach (var group in ns.Groups.Where(static g => g.Master.Length > 0))
        {
            if (await check(group.Master).ConfigureAwait(false) is { } problem)
            {
                throw OperationRefusedException.Conflict($"server {group.Master} (master of group {group.Id} in namespace '{ns.Name}') {refusal(problem)}");
            }
        }
    }

    /// <summary>masterauth/masteruser on every replica, so its next sync logs in with <paramref name="login"/>; what failed, in words.</summary>
    private async Task<List<string>> PointReplicasAsync(NamespaceConfig ns, ServerLogin? login, CancellationToken term)
    {
        var warnings = new List<string>();
        foreach (var group in ns.Groups)
        {
            foreach (var replica in group.Replicas)
            {
                var problem = login?.Credentials is null
                    ? await ServerCommands.TryCallAsync(replica, login, _options.ServerTimeout, term, "CONFIG", "SET", "masteruser", "", "masterauth", "").ConfigureAwait(false)
                    : await ServerCommands.TryUpdateMasterAuthAsync(replica, login, _options.ServerTimeout, term).ConfigureAwait(false);
                if (problem is not null)
                {
                    warnings.Add($"replica {replica} of group {group.Id}: masterauth could not be updated ({problem}); its next sync with {group.Master} may fail until you set it (CONFIG SET masterauth …)");
                }
            }
        }

        foreach (var warning in warnings)
        {
            _logger.LogWarning("Namespace {Namespace}: {Warning}.", ns.Name, warning);
        }

        return warnings;
    }

    private static IEnumerable<string> ServersOf(NamespaceConfig ns) =>
        ns.Groups.SelectMany(static g => g.Replicas.Prepend(g.Master)).Where(static s => s.Length > 0);

    private static BackendCredentials ValidateBackendCredentials(SetBackendCredentialsRequest request)
    {
        if (request.Password is not { Length: > 0 } password)
        {
            throw OperationRefusedException.BadRequest("""a password is required: {"password": "…"} (and "user" for an ACL user); to remove the credentials, DELETE them (`tessera namespace set NS --no-backend-password`)""");
        }

        if (password.Length > MaxBackendPasswordLength || password.Any(char.IsControl))
        {
            throw OperationRefusedException.BadRequest($"the backend password must be 1–{MaxBackendPasswordLength} characters without control characters");
        }

        var user = request.User is "" ? null : request.User;
        if (user is not null && (user.Length > MaxUserNameLength || user.Any(static c => char.IsControl(c) || char.IsWhiteSpace(c))))
        {
            throw OperationRefusedException.BadRequest($"'{user}' is not an ACL user name: use 1–{MaxUserNameLength} characters without spaces or control characters (or omit it for the default user)");
        }

        return new BackendCredentials { User = user, Password = password };
    }
}
