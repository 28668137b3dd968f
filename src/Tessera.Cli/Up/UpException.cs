namespace Tessera.Cli.Up;

/// <summary>
/// <c>tessera up</c> cannot go on: <see cref="Exception.Message"/> is the one line for the user (what was wrong,
/// what to do) and <see cref="ExitCode"/> the process exit code. Everything started so far is stopped by then.
/// </summary>
internal sealed class UpException : Exception
{
    public UpException()
    {
    }

    public UpException(string message)
        : base(message)
    {
    }

    public UpException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public UpException(int exitCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ExitCode = exitCode;
    }

    /// <summary>See <see cref="Hosting.ExitCodes"/>.</summary>
    public int ExitCode { get; } = Hosting.ExitCodes.Failure;
}
