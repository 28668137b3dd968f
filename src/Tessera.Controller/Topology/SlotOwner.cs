using Tessera.Model.Topology;

namespace Tessera.Controller.Topology;

/// <summary>Who serves one slot: its group, its state and, while migrating, the target group.</summary>
internal readonly record struct SlotOwner(int Group, SlotState State, int? Target);
