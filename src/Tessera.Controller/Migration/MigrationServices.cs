using Microsoft.Extensions.Logging;
using Tessera.Controller.Metrics;
using Tessera.Controller.Operations;
using Tessera.Controller.Pushes;
using Tessera.Controller.Topology;

namespace Tessera.Controller.Migration;

/// <summary>What migrations need from the rest of the controller.</summary>
/// <param name="Migrations">The migration records.</param>
/// <param name="Namespaces">The namespace documents (slot tables, group masters).</param>
/// <param name="Switch">The two-phase route switch.</param>
/// <param name="Operations">Runs route changes one at a time and only under the leader's term.</param>
/// <param name="Metrics">Counts migrations ended and what the mover moved.</param>
/// <param name="Time">Clock.</param>
/// <param name="Logger">Log.</param>
internal sealed record MigrationServices(
    MigrationRepository Migrations,
    NamespaceRepository Namespaces,
    SlotSwitch Switch,
    TopologyOperations Operations,
    ControllerMetrics Metrics,
    TimeProvider Time,
    ILogger Logger);
