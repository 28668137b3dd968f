namespace CommandsDoc;

/// <summary>One line of the compatibility page: a Redis command (or subcommand) and how Tessera treats it.</summary>
/// <param name="Command">Upper-case name as clients type it ("GET", "OBJECT ENCODING").</param>
/// <param name="Group">Redis's documentation group ("string", "hash", "server"...).</param>
/// <param name="Support">The proxy's support level ("supported", "refused"...), worded by the proxy.</param>
/// <param name="Note">The refusal reason, or how the command is routed; may be empty.</param>
public sealed record CompatibilityRow(string Command, string Group, string Support, string Note)
{
    /// <summary>The level the proxy uses for commands it answers with an error.</summary>
    public const string Refused = "refused";

    /// <summary>True when the proxy answers this command with an error instead of running it.</summary>
    public bool IsRefused => string.Equals(Support, Refused, StringComparison.Ordinal);
}
