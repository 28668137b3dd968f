using System.Text.Json;
using Tessera.Model.Api;
using Tessera.Model.Security;
using Tessera.Store;

namespace Tessera.Controller.Security;

/// <summary>
/// The API tokens in the store (<see cref="StorePaths.Tokens"/>): listing, creating (the token is returned once and
/// only its hash is written) and revoking, with the checks that keep a cluster manageable: names that are valid
/// path segments, no two tokens with one name, and never revoking the last admin token.
/// </summary>
internal sealed class TokenRepository
{
    /// <summary>The creator recorded for the admin token a controller makes on an empty store.</summary>
    public const string BootstrapCreator = "controller";

    /// <summary>The name of that first admin token.</summary>
    public const string BootstrapName = "admin";

    private readonly ICoordinatorStore _store;
    private readonly TimeProvider _time;

    public TokenRepository(ICoordinatorStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
    }

    /// <summary>Every token, sorted by name (unreadable records are skipped).</summary>
    public async Task<IReadOnlyList<StoredToken>> ListAsync(CancellationToken cancellationToken)
    {
        var listing = await _store.ListAsync(StorePaths.Tokens, cancellationToken).ConfigureAwait(false);
        var tokens = new List<StoredToken>();
        foreach (var record in listing)
        {
            if (StorePaths.TryGetChildName(StorePaths.Tokens, record.Key, out _) && StoredToken.Parse(record.Value) is { } token)
            {
                tokens.Add(token);
            }
        }

        return tokens;
    }

    /// <summary>
    /// Creates token <paramref name="name"/> with <paramref name="roleName"/>; returns the token (the only time it
    /// exists outside the caller). 400 for a bad name or role, 409 when the name is taken.
    /// </summary>
    public async Task<CreatedToken> CreateAsync(string? name, string? roleName, string createdBy, CancellationToken cancellationToken)
    {
        CheckName(name);
        if (!ApiRoles.TryParse(roleName, out var role))
        {
            throw OperationRefusedException.BadRequest($"'{roleName}' is not a role; use {ApiRoles.Choices} (viewer reads, operator also changes the topology, admin also manages tokens)");
        }

        var created = await TryCreateAsync(name!, role, createdBy, cancellationToken).ConfigureAwait(false)
            ?? throw OperationRefusedException.Conflict($"a token named '{name}' exists already; pick another name, or revoke it first with `tessera token revoke {name}`");
        return created;
    }

    /// <summary>Creates the token unless one has that name (create-if-absent: of two racing callers, one wins); null when taken.</summary>
    public async Task<CreatedToken?> TryCreateAsync(string name, ApiRole role, string createdBy, CancellationToken cancellationToken)
    {
        var token = TokenSecrets.NewToken();
        var record = new StoredToken { Name = name, Role = role.Name(), Hash = TokenSecrets.Hash(token), Created = _time.GetUtcNow(), CreatedBy = createdBy };
        return await _store.CreateAsync(StorePaths.Token(name), JsonSerializer.Serialize(record, TesseraJson.Options), lease: null, cancellationToken).ConfigureAwait(false)
            ? new CreatedToken(name, record.Role, token)
            : null;
    }

    /// <summary>Revokes token <paramref name="name"/>: 404 when there is none, 409 when it is the last admin token.</summary>
    public async Task RevokeAsync(string name, CancellationToken cancellationToken)
    {
        CheckName(name);
        var record = await _store.GetAsync(StorePaths.Token(name), cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            throw OperationRefusedException.NotFound($"there is no token named '{name}'; `tessera token list` shows the tokens");
        }

        // Two admins revoking the only two admin tokens at the same moment could both pass this check (it spans
        // several keys, which the store cannot compare-and-set together); each would still need an admin token to
        // do it, and `tessera controller` on an empty token list is the way back (delete the token keys by hand).
        if (StoredToken.Parse(record.Value)?.ParsedRole == ApiRole.Admin)
        {
            var admins = (await ListAsync(cancellationToken).ConfigureAwait(false)).Count(static t => t.ParsedRole == ApiRole.Admin);
            if (admins <= 1)
            {
                throw OperationRefusedException.Conflict($"'{name}' is the last admin token: without it nobody could create or revoke tokens again; create another first with `tessera token create NAME --role admin`, then revoke this one");
            }
        }

        // With the revision: a token re-created under the same name meanwhile is not the one the caller meant.
        if (!await _store.DeleteAsync(record.Key, record.Revision, cancellationToken).ConfigureAwait(false))
        {
            throw OperationRefusedException.Conflict($"token '{name}' changed while it was being revoked; list the tokens and try again");
        }
    }

    /// <summary>Deletes token <paramref name="name"/> without the last-admin check (undoing a bootstrap that could not be completed).</summary>
    public Task RevokeUncheckedAsync(string name, CancellationToken cancellationToken) =>
        _store.DeleteAsync(StorePaths.Token(name), expectedRevision: null, cancellationToken);

    private static void CheckName(string? name)
    {
        var ok = name is { Length: > 0 and <= 64 };
        foreach (var c in name ?? "")
        {
            ok &= char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';
        }

        if (!ok)
        {
            throw OperationRefusedException.BadRequest($"'{name}' cannot be a token name; use 1–64 letters, digits or - _ . (e.g. ci-deploy, alice)");
        }
    }
}
