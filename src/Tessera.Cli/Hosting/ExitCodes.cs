namespace Tessera.Cli.Hosting;

/// <summary>Process exit codes of the tessera verbs.</summary>
internal static class ExitCodes
{
    /// <summary>Ran and stopped cleanly (including stop by Ctrl-C or SIGTERM once running).</summary>
    public const int Ok = 0;

    /// <summary>Something failed at run time (a server would not start, a file is invalid).</summary>
    public const int Failure = 1;

    /// <summary>The request cannot be served as given (bad option value, port already in use).</summary>
    public const int Usage = 2;

    /// <summary>Interrupted by a signal before it was ready (the shell convention 128 + SIGINT).</summary>
    public const int Interrupted = 130;
}
