using Tessera.Controller.Topology;
using Tessera.Model.Api;
using Tessera.Model.Proxies;
using Tessera.Model.Topology;

namespace Tessera.Controller.Pushes;

/// <summary>What a committed change left in the store and how its pushes went.</summary>
internal sealed record CommittedChange(StoredNamespace Stored, IReadOnlyList<PushPhase> Pushes);

/// <summary>
/// Changes who serves some slots without any proxy ever serving a stale route (architecture §3):
/// <list type="number">
/// <item><b>lock</b>: the affected slots that some group serves now are written as <see cref="SlotState.Locked"/>
/// (same owner) at epoch e+1 and pushed; proxies hold requests for them and drain those in flight;</item>
/// <item><b>switch</b>: once every live proxy acked (or was waited out), the wanted table is written at e+2 and
/// pushed; proxies release the held requests under the new owners.</item>
/// </list>
/// Slots nobody serves yet need no lock (no proxy routes them), so a change touching only those is one phase.
/// When a proxy stays registered but never acks the lock, the lock is rolled back (original routes at the
/// next epoch) and the change is refused, so the slots do not stay locked.
/// </summary>
internal sealed class SlotSwitch
{
    private readonly NamespaceRepository _namespaces;
    private readonly RoutePusher _pusher;

    public SlotSwitch(NamespaceRepository namespaces, RoutePusher pusher)
    {
        _namespaces = namespaces;
        _pusher = pusher;
    }

    /// <summary>
    /// Moves <paramref name="current"/> to <paramref name="target"/> (its epoch is set here), which differs from it
    /// only in the slots marked in <paramref name="affected"/> (1024 entries).
    /// </summary>
    public async Task<CommittedChange> SwitchAsync(StoredNamespace current, bool[] affected, NamespaceConfig target, CancellationToken term)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(affected.Length, SlotTable.SlotCount);
        var epoch = current.Config.Epoch;
        var locked = SlotTable.Expand(current.Config.Slots);
        var anyRouted = false;
        for (var slot = 0; slot < SlotTable.SlotCount; slot++)
        {
            if (affected[slot] && locked[slot] is { } owner)
            {
                locked[slot] = owner with { State = SlotState.Locked };
                anyRouted = true;
            }
        }

        if (!anyRouted)
        {
            return await CommitAsync(current, target with { Epoch = epoch + 1 }, "switch", term).ConfigureAwait(false);
        }

        var lockPhase = await CommitAsync(current, current.Config with { Epoch = epoch + 1, Slots = SlotTable.Compress(locked) }, "lock", term).ConfigureAwait(false);
        var stragglers = lockPhase.Pushes[0].Proxies.Where(static p => p.Outcome == PushOutcome.Unacknowledged).ToList();
        if (stragglers.Count > 0)
        {
            await CommitAsync(lockPhase.Stored, current.Config with { Epoch = epoch + 2 }, "rollback", term).ConfigureAwait(false);
            var names = string.Join(", ", stragglers.Select(static p => $"{p.Id} ({p.AdminUrl}: {p.Detail})"));
            throw OperationRefusedException.Unavailable(
                $"proxy {names} did not acknowledge locking the slots, so the change was rolled back (namespace '{current.Config.Name}' is at epoch {epoch + 2} with its previous routes); check that proxy with `tessera proxies` and retry");
        }

        var switchPhase = await CommitAsync(lockPhase.Stored, target with { Epoch = epoch + 2 }, "switch", term).ConfigureAwait(false);
        return new CommittedChange(switchPhase.Stored, [.. lockPhase.Pushes, .. switchPhase.Pushes]);
    }

    /// <summary>One phase: writes <paramref name="next"/> (whose epoch the caller set) with compare-and-set and pushes it.</summary>
    public async Task<CommittedChange> CommitAsync(StoredNamespace current, NamespaceConfig next, string phase, CancellationToken term)
    {
        // The operations check everything they change; this guard uses the very validator proxies apply to a
        // push, so nothing a proxy would refuse is ever written to the store.
        var problems = TopologyValidator.Validate(new TopologyConfig { Epoch = next.Epoch, Namespaces = [next] }, requireAllSlots: false);
        if (problems.Count > 0)
        {
            throw OperationRefusedException.Conflict($"the change would leave namespace '{next.Name}' invalid, so nothing was written: {string.Join("; ", problems)}");
        }

        var stored = await _namespaces.ReplaceAsync(current, next, term).ConfigureAwait(false);
        var pushed = await _pusher.PushAsync(new RoutePush { Namespace = stored.Config }, phase, term).ConfigureAwait(false);
        return new CommittedChange(stored, [pushed]);
    }
}
