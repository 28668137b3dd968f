using System.Globalization;
using Tessera.Model.Insight;

namespace Tessera.Controller.Insight;

/// <summary>
/// Health scores (architecture §12): each server starts at 100 and loses points for what an operator would look at —
/// down (score 0), a replica not linked to its master (-50), replica lag (-10 over 1 s, -40 over 10 s), memory
/// headroom (-15 at 80% of maxmemory, -30 at 90%, -50 at 98%), evictions since the last round (-20), PING latency
/// (-10 over 10 ms, -30 over 100 ms) and slow log entries (-10 above one a second). A group scores its master's
/// score, less 30 when it has no healthy replica to fail over to (a group without replicas included) and 10 for each
/// replica below 50. Every deduction is listed with its reason, so a score is never a mystery.
/// </summary>
internal static class HealthScoring
{
    public static HealthScoreReport Score(InsightRound round, InsightRound? previous, TimeSpan interval)
    {
        var before = previous?.Servers.ToDictionary(static s => s.Address, StringComparer.OrdinalIgnoreCase) ?? [];
        var seconds = previous is null ? interval.TotalSeconds : Math.Max(0.001, (round.Time - previous.Time).TotalSeconds);
        var lags = round.Lags.ToDictionary(static l => l.Replica, StringComparer.OrdinalIgnoreCase);
        var groups = new List<GroupScore>();
        foreach (var byGroup in round.Servers.GroupBy(static s => (s.Namespace, s.Group)).OrderBy(static g => g.Key.Namespace, StringComparer.Ordinal).ThenBy(static g => g.Key.Group))
        {
            var servers = byGroup.Select(s => Server(s, before.GetValueOrDefault(s.Address), seconds, lags.GetValueOrDefault(s.Address))).ToList();
            var reasons = new List<string>();
            var master = servers.FirstOrDefault(static s => s.Role == "master");
            int score = master?.Score ?? 0;
            if (master is null)
            {
                reasons.Add("no master (-100)");
            }
            else if (master.Score < 100)
            {
                reasons.Add($"master {master.Server} scores {master.Score}");
            }

            var replicas = servers.Where(static s => s.Role == "replica").ToList();
            var healthy = replicas.Count(static r => r.Score >= 50);
            if (healthy == 0)
            {
                score -= 30;
                reasons.Add(replicas.Count == 0 ? "no replica to fail over to (-30)" : "no healthy replica to fail over to (-30)");
            }

            foreach (var weak in replicas.Where(static r => r.Score < 50))
            {
                score -= 10;
                reasons.Add($"replica {weak.Server} scores {weak.Score} (-10)");
            }

            groups.Add(new GroupScore { Namespace = byGroup.Key.Namespace, Group = byGroup.Key.Group, Score = Math.Clamp(score, 0, 100), Reasons = reasons, Servers = servers });
        }

        return new HealthScoreReport { SampledAt = round.Time, Groups = groups };
    }

    private static ServerScore Server(ServerFigures now, ServerFigures? before, double seconds, Metrics.ReplicaLagSample? lag)
    {
        var reasons = new List<string>();
        int score = 100;
        void Take(int points, string why)
        {
            score -= points;
            reasons.Add(string.Create(CultureInfo.InvariantCulture, $"{why} (-{points})"));
        }

        if (!now.Up)
        {
            return new ServerScore { Namespace = now.Namespace, Group = now.Group, Server = now.Address, Role = now.Role, Score = 0, Reasons = [$"down: {now.Problem} (-100)"] };
        }

        if (now.Role == "replica" && now.Observation is { } seen && (seen.Role != "replica" || seen.MasterLink != "up"))
        {
            Take(50, seen.Role != "replica" ? $"stored as replica but reports {seen.Role}" : "its link to the master is down");
        }
        else if (now.Role == "master" && now.Observation is { Role: not "master" } other)
        {
            Take(50, $"stored as master but reports {other.Role}");
        }

        if (lag is { Seconds: { } lagSeconds })
        {
            if (lagSeconds > 10)
            {
                Take(40, string.Create(CultureInfo.InvariantCulture, $"replica lag {lagSeconds:0.0} s"));
            }
            else if (lagSeconds > 1)
            {
                Take(10, string.Create(CultureInfo.InvariantCulture, $"replica lag {lagSeconds:0.0} s"));
            }
        }

        if (now.MaxMemory > 0)
        {
            var ratio = (double)now.UsedMemory / now.MaxMemory;
            var text = string.Create(CultureInfo.InvariantCulture, $"memory at {ratio:P0} of maxmemory");
            if (ratio >= 0.98)
            {
                Take(50, text);
            }
            else if (ratio >= 0.9)
            {
                Take(30, text);
            }
            else if (ratio >= 0.8)
            {
                Take(15, text);
            }
        }

        if (before is { Up: true } && now.EvictedKeys > before.EvictedKeys)
        {
            Take(20, $"{now.EvictedKeys - before.EvictedKeys} keys evicted since the last round");
        }

        if (now.PingMilliseconds > 100)
        {
            Take(30, string.Create(CultureInfo.InvariantCulture, $"PING took {now.PingMilliseconds:0.#} ms"));
        }
        else if (now.PingMilliseconds > 10)
        {
            Take(10, string.Create(CultureInfo.InvariantCulture, $"PING took {now.PingMilliseconds:0.#} ms"));
        }

        if (before is { Up: true } && now.SlowlogLastId > before.SlowlogLastId && (now.SlowlogLastId - before.SlowlogLastId) / seconds > 1)
        {
            Take(10, string.Create(CultureInfo.InvariantCulture, $"{(now.SlowlogLastId - before.SlowlogLastId) / seconds:0.#} slow log entries a second"));
        }

        return new ServerScore { Namespace = now.Namespace, Group = now.Group, Server = now.Address, Role = now.Role, Score = Math.Clamp(score, 0, 100), Reasons = reasons };
    }
}
