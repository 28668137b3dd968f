using Tessera.Model.Topology;

namespace Tessera.Proxy.Topology;

/// <summary>Formats a topology file may be written in; chosen by extension (.json, .yaml, .yml).</summary>
public enum TopologyFileFormat
{
    Json,
    Yaml,
}
