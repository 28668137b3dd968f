using System.Text;
using Microsoft.Extensions.Logging;
using Tessera.Controller.Topology;
using Tessera.Model.Api;
using Tessera.Model.Tenants;

namespace Tessera.Controller.Operations;

/// <remarks>
/// A namespace's users: written to its access document (never pushed; proxies follow the store), one change at a
/// time like every other change, so the check that passwords are unique across the store holds.
/// </remarks>
internal sealed partial class TopologyOperations
{
    /// <summary>Shortest password accepted: long enough that guessing through AUTH, slowed per address, is hopeless.</summary>
    public const int MinPasswordLength = 8;

    public const int MaxPasswordLength = 512;

    public const int MaxUserNameLength = 64;

    /// <summary>The namespace's users, without passwords.</summary>
    public async Task<IReadOnlyList<UserView>> ListUsersAsync(string name, CancellationToken cancellationToken)
    {
        var valid = NamespaceRepository.ValidateName(name);
        await _namespaces.RequireAsync(valid, cancellationToken).ConfigureAwait(false);
        var (access, _) = await _namespaces.GetAccessAsync(valid, cancellationToken).ConfigureAwait(false);
        return [.. access.Users.OrderBy(static u => u.Name, StringComparer.Ordinal).Select(u => View(valid, u))];
    }

    /// <summary>Adds a user; without a password one is generated. The answer shows the password this once.</summary>
    public Task<UserView> CreateUserAsync(string name, CreateUserRequest request, CancellationToken requestAborted)
    {
        var valid = NamespaceRepository.ValidateName(name);
        var user = ValidateUserName(request.Name);
        var deny = ValidateCategories(request.Deny);
        var password = request.Password is null or "" ? PasswordHash.Generate() : ValidatePassword(request.Password);
        return ChangeAsync(
            async term =>
            {
                await _namespaces.RequireAsync(valid, term).ConfigureAwait(false);
                var (access, revision) = await _namespaces.GetAccessAsync(valid, term).ConfigureAwait(false);
                if (access.Find(user) is not null)
                {
                    throw OperationRefusedException.Conflict($"namespace '{valid}' already has a user '{user}'; change it with `tessera namespace user set {valid} {user} ...` or pick another name");
                }

                await RequireUniqueAsync(valid, access, password, term).ConfigureAwait(false);
                var created = new NamespaceUser
                {
                    Name = user,
                    Passwords = [PasswordHash.Compute(access.Salt, Encoding.UTF8.GetBytes(password))],
                    Access = request.Access,
                    DeniedCategories = deny,
                };
                await _namespaces.ReplaceAccessAsync(valid, access with { Users = [.. access.Users, created] }, revision, term).ConfigureAwait(false);
                _logger.LogInformation("Namespace {Namespace}: user {User} added ({Access}).", valid, user, request.Access);
                return View(valid, created) with { Password = password };
            },
            requestAborted);
    }

    /// <summary>Changes a user: adds or removes a password (rotation), its access, its denied categories.</summary>
    public Task<UserView> UpdateUserAsync(string name, string userName, UpdateUserRequest request, CancellationToken requestAborted)
    {
        var valid = NamespaceRepository.ValidateName(name);
        var user = ValidateUserName(userName);
        if (request.IsEmpty)
        {
            throw OperationRefusedException.BadRequest("""nothing to change: give e.g. {"addPassword": ""} (generates one), {"removePassword": "old"}, {"access": "readOnly"} or {"deny": ["@admin"]}""");
        }

        var deny = request.Deny is null ? null : ValidateCategories(request.Deny);
        var added = request.AddPassword switch
        {
            null => null,
            "" => PasswordHash.Generate(),
            var given => ValidatePassword(given),
        };
        return ChangeAsync(
            async term =>
            {
                await _namespaces.RequireAsync(valid, term).ConfigureAwait(false);
                var (access, revision) = await _namespaces.GetAccessAsync(valid, term).ConfigureAwait(false);
                var current = access.Find(user) ?? throw UnknownUser(valid, user);
                var passwords = current.Passwords.ToList();
                if (request.RemovePassword is { } removed)
                {
                    var hash = PasswordHash.Compute(access.Salt, Encoding.UTF8.GetBytes(removed));
                    if (!passwords.Remove(hash))
                    {
                        throw OperationRefusedException.BadRequest($"'{user}' has no such password (passwords are stored hashed: give the exact password to remove)");
                    }
                }

                if (added is not null)
                {
                    if (passwords.Count >= NamespaceUser.MaxPasswords)
                    {
                        throw OperationRefusedException.Conflict($"'{user}' already holds {NamespaceUser.MaxPasswords} passwords; remove the old one first (--remove-password), once its clients moved to the new one");
                    }

                    await RequireUniqueAsync(valid, access, added, term).ConfigureAwait(false);
                    passwords.Add(PasswordHash.Compute(access.Salt, Encoding.UTF8.GetBytes(added)));
                }

                if (passwords.Count == 0)
                {
                    throw OperationRefusedException.Conflict($"that is '{user}''s last password; add the new one first (--add-password), or remove the user");
                }

                var next = current with
                {
                    Passwords = passwords,
                    Access = request.Access ?? current.Access,
                    DeniedCategories = deny ?? current.DeniedCategories,
                };
                var users = access.Users.Select(u => u.Name == user ? next : u).ToList();
                await _namespaces.ReplaceAccessAsync(valid, access with { Users = users }, revision, term).ConfigureAwait(false);
                _logger.LogInformation("Namespace {Namespace}: user {User} changed.", valid, user);
                return View(valid, next) with { Password = added };
            },
            requestAborted);
    }

    /// <summary>Removes a user; proxies close its connections.</summary>
    public Task<UserView> RemoveUserAsync(string name, string userName, CancellationToken requestAborted)
    {
        var valid = NamespaceRepository.ValidateName(name);
        var user = ValidateUserName(userName);
        return ChangeAsync(
            async term =>
            {
                var (access, revision) = await _namespaces.GetAccessAsync(valid, term).ConfigureAwait(false);
                var current = access.Find(user) ?? throw UnknownUser(valid, user);
                await _namespaces.ReplaceAccessAsync(valid, access with { Users = [.. access.Users.Where(u => u.Name != user)] }, revision, term).ConfigureAwait(false);
                _logger.LogInformation("Namespace {Namespace}: user {User} removed.", valid, user);
                return View(valid, current);
            },
            requestAborted);
    }

    /// <summary>
    /// 409 when <paramref name="password"/> is already some user's, in any namespace: <c>AUTH &lt;password&gt;</c> finds
    /// the namespace by the password alone.
    /// </summary>
    private async Task RequireUniqueAsync(string ns, NamespaceAccess own, string password, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(password);
        foreach (var stored in await _namespaces.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            var other = stored.Config.Name;
            var access = other == ns ? own : (await _namespaces.GetAccessAsync(other, cancellationToken).ConfigureAwait(false)).Access;
            var hash = PasswordHash.Compute(access.Salt, bytes);
            if (access.Users.Any(u => u.Passwords.Contains(hash, StringComparer.Ordinal)))
            {
                throw OperationRefusedException.Conflict("that password is already used by another user; passwords must be unique across the cluster (AUTH <password> finds the namespace by it): choose another, or omit it to have one generated");
            }
        }
    }

    private static UserView View(string ns, NamespaceUser user) => new(ns, user.Name, user.Passwords.Count, user.Access, user.DeniedCategories);

    private static OperationRefusedException UnknownUser(string ns, string user) =>
        OperationRefusedException.NotFound($"namespace '{ns}' has no user '{user}'; list them with `tessera namespace user list {ns}`");

    private static string ValidateUserName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= MaxUserNameLength && name.All(static c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? name
            : throw OperationRefusedException.BadRequest($"'{name}' is not a user name: use 1–{MaxUserNameLength} letters, digits, '-' or '_' (no '.': clients write AUTH <namespace>.<user> <password>)");

    private static string ValidatePassword(string password) =>
        password.Length is >= MinPasswordLength and <= MaxPasswordLength && !password.Any(char.IsControl)
            ? password
            : throw OperationRefusedException.BadRequest($"a password must be {MinPasswordLength}–{MaxPasswordLength} characters without control characters; omit it to have a strong one generated");

    private static List<string> ValidateCategories(IReadOnlyList<string>? categories)
    {
        var valid = new List<string>();
        foreach (var category in categories ?? [])
        {
            var normalized = AclCategories.Normalize(category)
                ?? throw OperationRefusedException.BadRequest($"'{category}' is not an ACL category; use one of {string.Join(", ", AclCategories.All)}");
            if (!valid.Contains(normalized))
            {
                valid.Add(normalized);
            }
        }

        return valid;
    }
}
