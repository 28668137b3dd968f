using Tessera.Controller;

namespace Tessera.Cli.Verbs.Admin;

/// <summary>
/// Finds the API token an admin verb sends, in the order <see cref="AdminOptions.TokenOrder"/> gives: --token,
/// TESSERA_TOKEN, --token-file (or the default file a controller writes on its first start), then the file
/// <c>tessera up</c> writes in <c>./.tessera</c>. So <c>tessera up</c> then <c>tessera status</c> from the same
/// directory need no flags.
/// </summary>
internal static class TokenSource
{
    /// <summary>The token to send, or null when none is found (the controller's 401 then says what to do).</summary>
    /// <exception cref="TokenFileException">--token-file names a file that cannot be read or is empty.</exception>
    public static string? Find(string? token, string? tokenFile)
    {
        if (!string.IsNullOrWhiteSpace(token))
        {
            return token.Trim();
        }

        if (Environment.GetEnvironmentVariable(AdminOptions.TokenVariable) is { } fromEnvironment && !string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return fromEnvironment.Trim();
        }

        if (tokenFile is not null)
        {
            return Read(tokenFile) ?? throw new TokenFileException($"the token file {tokenFile} does not exist or is empty; give the file a controller wrote (--admin-token-file) or pass --token");
        }

        return Read(ControllerOptions.DefaultAdminTokenFile()) ?? Read(Path.GetFullPath(AdminOptions.UpTokenFile));
    }

    /// <summary>The first line of <paramref name="path"/>, trimmed; null when the file does not exist or is empty.</summary>
    public static string? Read(string path)
    {
        try
        {
            var first = File.ReadLines(path).FirstOrDefault()?.Trim();
            return string.IsNullOrEmpty(first) ? null : first;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TokenFileException($"the token file {path} cannot be read ({e.Message.TrimEnd('.')}); check its permissions or pass --token", e);
        }
    }
}

/// <summary>A token file that was asked for cannot be used; the message says which and what to do.</summary>
public sealed class TokenFileException : Exception
{
    public TokenFileException()
    {
    }

    public TokenFileException(string message)
        : base(message)
    {
    }

    public TokenFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
