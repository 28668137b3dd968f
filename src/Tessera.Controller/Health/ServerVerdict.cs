using System.Globalization;
using Tessera.Controller.Servers;

namespace Tessera.Controller.Health;

/// <summary>How healthy one server is for the role the topology gives it, in one word and one phrase.</summary>
/// <param name="Health">One of <see cref="ServerHealthStates"/>.</param>
/// <param name="Detail">Why, in words (null when healthy).</param>
/// <param name="LagBytes">For a replica: how far behind its master's offset it is, when both answered.</param>
internal sealed record ServerVerdict(string Health, string? Detail, long? LagBytes)
{
    /// <summary>
    /// Judges <paramref name="watch"/> as a <paramref name="role"/> ("master" or "replica") of a group whose master is
    /// <paramref name="master"/> (watched by <paramref name="masterWatch"/>).
    /// </summary>
    public static ServerVerdict Judge(string role, ServerWatch? watch, string master, ServerWatch? masterWatch, HealthOptions options)
    {
        if (watch is null)
        {
            return new ServerVerdict(ServerHealthStates.Unknown, "not probed yet", null);
        }

        var state = watch.State;
        if (watch.IsDown)
        {
            return new ServerVerdict(ServerHealthStates.Down, string.Create(CultureInfo.InvariantCulture, $"no answer for {watch.Silence.TotalSeconds:0.0} s ({state.Last.Problem})"), null);
        }

        if (!state.Answered)
        {
            return new ServerVerdict(ServerHealthStates.Unknown, state.Last.Problem ?? "not probed yet", null);
        }

        if (!state.Last.Ok)
        {
            return new ServerVerdict(ServerHealthStates.Suspect, string.Create(CultureInfo.InvariantCulture, $"its last probe failed ({state.Last.Problem}); down after {options.DownAfter.TotalSeconds:0.#} s of silence"), null);
        }

        var probe = state.Last;
        if (probe.Busy)
        {
            return new ServerVerdict(ServerHealthStates.Busy, ProbeResult.BusyProblem, null);
        }

        if (role == "master")
        {
            return probe.Role == "master"
                ? new ServerVerdict(ServerHealthStates.Up, null, null)
                : new ServerVerdict(ServerHealthStates.WrongRole, $"it says it is a replica of {probe.ReplicaOf ?? "nothing"}, not a master", null);
        }

        if (probe.Role != "replica")
        {
            return new ServerVerdict(ServerHealthStates.NotConnected, $"it says it is a master, not a replica of {master}", null);
        }

        if (!ServerIdentity.SameServer(probe.ReplicaOf, master))
        {
            return new ServerVerdict(ServerHealthStates.NotConnected, $"it replicates from {probe.ReplicaOf ?? "nothing"}, not from the master {master}", null);
        }

        if (probe.SyncInProgress)
        {
            return new ServerVerdict(ServerHealthStates.NotConnected, "it is loading its first full copy from the master", null);
        }

        if (!probe.LinkUp)
        {
            return new ServerVerdict(ServerHealthStates.NotConnected, probe.LinkDownSeconds switch
            {
                > 0 => string.Create(CultureInfo.InvariantCulture, $"its link to the master has been down for {probe.LinkDownSeconds} s"),
                < 0 => "it has not completed a sync with the master since it started (its first sync is under way, or the master does not let it)",
                _ => "its link to the master is down",
            }, null);
        }

        if (masterWatch?.State is { Last: { Ok: true, Role: "master" } masterProbe })
        {
            var lag = Math.Max(0, masterProbe.Offset - probe.Offset);
            if (lag > options.ReplicaLagThreshold)
            {
                return new ServerVerdict(ServerHealthStates.Lagging, string.Create(CultureInfo.InvariantCulture, $"it is {lag} bytes behind the master (threshold {options.ReplicaLagThreshold})"), lag);
            }

            return new ServerVerdict(ServerHealthStates.Up, null, lag);
        }

        return new ServerVerdict(ServerHealthStates.Up, null, null);
    }

    /// <summary>True for a replica that may serve reads: it answers, follows the right master, is linked and not lagging.</summary>
    public bool ServesReads(string role) => role == "replica" && Health == ServerHealthStates.Up;
}

/// <summary>The values of <see cref="ServerVerdict.Health"/> (and of the API's server health).</summary>
public static class ServerHealthStates
{
    /// <summary>Answers and plays its role.</summary>
    public const string Up = "up";

    /// <summary>No answer for the down-after time.</summary>
    public const string Down = "down";

    /// <summary>It answers -BUSY: alive, running a script past busy-reply-threshold (never failed over for it).</summary>
    public const string Busy = "busy";

    /// <summary>Its last probe failed, but not for the down-after time yet.</summary>
    public const string Suspect = "suspect";

    /// <summary>A replica further behind its master than the lag threshold.</summary>
    public const string Lagging = "lagging";

    /// <summary>A replica that does not replicate from its group's master (link down, another master, a master itself, first sync).</summary>
    public const string NotConnected = "not-connected";

    /// <summary>A master that says it is a replica.</summary>
    public const string WrongRole = "wrong-role";

    /// <summary>Not probed yet (just added, or this controller just started).</summary>
    public const string Unknown = "unknown";
}
