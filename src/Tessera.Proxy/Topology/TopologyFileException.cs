using Tessera.Model.Topology;

namespace Tessera.Proxy.Topology;

/// <summary>
/// A topology file could not be read, parsed or validated. The message names the file and lists every
/// problem found, one per line.
/// </summary>
public sealed class TopologyFileException : Exception
{
    public TopologyFileException()
    {
    }

    public TopologyFileException(string message)
        : base(message)
    {
    }

    public TopologyFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The individual problems (one per line of the message), for tools that show them separately.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];
}
