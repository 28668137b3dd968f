using Tessera.Proxy.Commands;

namespace CommandsDoc;

/// <summary>The proxy's real decisions, read through its public <see cref="CommandPolicies.Describe"/>.</summary>
public sealed class ProxyCommandSupport : ICommandSupportSource
{
    /// <inheritdoc />
    public IReadOnlyList<(string Command, string Support, string Note)> Describe() => CommandPolicies.Describe();
}
