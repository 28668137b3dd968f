namespace CommandsDoc;

/// <summary>
/// Where the page's support levels come from: the proxy's decision for every command and subcommand, in
/// the order the page lists them. Kept as an interface so the page can be rendered (and tested) from any
/// list, while the real one is the proxy's own table (<see cref="ProxyCommandSupport"/>).
/// </summary>
public interface ICommandSupportSource
{
    /// <summary>Display name ("OBJECT ENCODING"), support level and note for every command the proxy knows.</summary>
    IReadOnlyList<(string Command, string Support, string Note)> Describe();
}
