using System.Text.Json.Serialization;

namespace Tessera.Model.Topology;

/// <summary>State of a slot in a namespace's slot table (architecture §2, §3).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SlotState>))]
public enum SlotState
{
    /// <summary>Served by its group.</summary>
    Online = 0,

    /// <summary>Requests for it wait: proxies are switching its route (first phase of a change).</summary>
    Locked,

    /// <summary>Moving from its group to a target group; keys are migrated on first touch.</summary>
    Migrating,
}
