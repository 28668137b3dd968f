using Microsoft.Extensions.Logging;
using Tessera.Model.Security;

namespace Tessera.Controller.Security;

/// <summary>
/// A controller's first start on a store without tokens: it creates token "admin" (role admin) with
/// create-if-absent, so of two controllers racing only one does, and writes the token to
/// <see cref="ControllerOptions.AdminTokenFile"/> with mode 0600 (its directory 0700 when it has to be created).
/// A store that has tokens already is left alone. The path is logged, never the token.
/// </summary>
internal static class AdminTokenBootstrap
{
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates and writes the first admin token when the store has none; true when this controller did.</summary>
    /// <exception cref="IOException">The token file could not be written (the token is withdrawn again, so a restart can retry).</exception>
    public static async Task<bool> RunAsync(TokenRepository tokens, string tokenFile, ILogger logger, CancellationToken cancellationToken)
    {
        if ((await tokens.ListAsync(cancellationToken).ConfigureAwait(false)).Count > 0)
        {
            return false;
        }

        var created = await tokens.TryCreateAsync(TokenRepository.BootstrapName, ApiRole.Admin, TokenRepository.BootstrapCreator, cancellationToken).ConfigureAwait(false);
        if (created is null)
        {
            // Another controller on this store won the race; its file holds the token.
            return false;
        }

        try
        {
            Write(tokenFile, created.Token);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A token nobody can read locks everyone out: take it back so the next start tries again.
            await tokens.RevokeUncheckedAsync(TokenRepository.BootstrapName, cancellationToken).ConfigureAwait(false);
            throw new IOException($"the controller could not write the first admin token to {tokenFile} ({e.Message.TrimEnd('.')}); pick a writable path with --admin-token-file", e);
        }

        logger.LogWarning("The store had no API tokens: created token '{Name}' (role admin) and wrote it to {Path} (mode 0600). Keep it safe; `tessera token create` makes more.", created.Name, tokenFile);
        return true;
    }

    /// <summary>Writes <paramref name="token"/> to <paramref name="path"/>, readable by this user only, replacing the file whole.</summary>
    public static void Write(string path, string token)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, DirectoryMode);
            }
        }

        // A new file created 0600 and renamed over the old one: the token is never readable by others, not even
        // for a moment, and an old file with looser permissions is replaced rather than reused.
        var temporary = full + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(token + "\n");
            }

            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
