using Tessera.Model.Insight;

namespace Tessera.Controller.Insight;

/// <summary>
/// The top lists (architecture §12): per namespace, ops/s over every proxy (the last two rounds), memory utilisation
/// of its masters, hit rate of its masters and growth in keys and memory over the window (the oldest kept round to
/// this one), each list holding the namespaces that have the figure, ranked the way an operator reads it.
/// </summary>
internal static class TopLists
{
    /// <param name="history">The rounds kept, oldest first, <paramref name="round"/> last.</param>
    public static TopReport Build(InsightRound round, InsightRound? previous, IReadOnlyList<InsightRound> history)
    {
        var window = (round.Time - history[0].Time).TotalSeconds;
        var figures = round.Namespaces.Select(ns => Figures(ns.Name, round, previous, Baseline(ns.Name, round, history))).ToList();
        return new TopReport
        {
            SampledAt = round.Time,
            WindowSeconds = window,
            ByOps = [.. figures.Where(static f => f.OpsPerSecond is not null).OrderByDescending(static f => f.OpsPerSecond)],
            ByLowestMemoryUtilisation = [.. figures.Where(static f => f.MemoryUtilisation is not null).OrderBy(static f => f.MemoryUtilisation)],
            ByLowestHitRate = [.. figures.Where(static f => f.HitRate is not null).OrderBy(static f => f.HitRate)],
            ByGrowth = [.. figures.Where(static f => f.KeysGained is not null).OrderByDescending(static f => f.KeysGained).ThenByDescending(static f => f.MemoryGainedBytes)],
        };
    }

    /// <summary>Commands per second of <paramref name="ns"/> over every proxy between two rounds (a proxy that restarted counts from 0).</summary>
    public static double? Rate(string ns, InsightRound now, InsightRound? before, Func<NamespaceCounters, double> counter)
    {
        if (before is null || now.Time <= before.Time)
        {
            return null;
        }

        double delta = 0;
        bool any = false;
        foreach (var (proxy, counters) in now.Proxies)
        {
            if (!counters.Namespaces.TryGetValue(ns, out var current))
            {
                continue;
            }

            any = true;
            var last = before.Proxies.GetValueOrDefault(proxy)?.Namespaces.GetValueOrDefault(ns) ?? default;
            var d = counter(current) - counter(last);
            delta += d >= 0 ? d : counter(current);
        }

        return any ? delta / (now.Time - before.Time).TotalSeconds : null;
    }

    /// <summary>
    /// The oldest kept round in which every master <paramref name="ns"/> has now answered: the start of its window (a
    /// namespace created, or a master added or failed over, since the oldest round starts its window later).
    /// </summary>
    private static InsightRound Baseline(string ns, InsightRound round, IReadOnlyList<InsightRound> history)
    {
        var masters = round.Servers.Where(s => s.Namespace == ns && s.Role == "master" && s.Up).Select(static s => s.Address).ToList();
        return history.FirstOrDefault(r => masters.All(m => r.Servers.Any(s => s.Up && s.Role == "master" && string.Equals(s.Address, m, StringComparison.OrdinalIgnoreCase)))) ?? round;
    }

    private static NamespaceFigures Figures(string ns, InsightRound round, InsightRound? previous, InsightRound oldest)
    {
        var window = (round.Time - oldest.Time).TotalSeconds;
        var masters = round.Servers.Where(s => s.Namespace == ns && s.Role == "master" && s.Up).ToList();
        var limited = masters.Where(static m => m.MaxMemory > 0).ToList();
        var then = oldest.Servers.Where(s => s.Namespace == ns && s.Role == "master" && s.Up).ToDictionary(static s => s.Address, StringComparer.OrdinalIgnoreCase);

        double? hitRate = null;
        long hits = 0, misses = 0;
        foreach (var m in masters)
        {
            var start = then.GetValueOrDefault(m.Address);
            bool windowed = start is not null && oldest != round && m.KeyspaceHits >= start.KeyspaceHits && m.KeyspaceMisses >= start.KeyspaceMisses;
            hits += windowed ? m.KeyspaceHits - start!.KeyspaceHits : m.KeyspaceHits;
            misses += windowed ? m.KeyspaceMisses - start!.KeyspaceMisses : m.KeyspaceMisses;
        }

        if (hits + misses > 0)
        {
            hitRate = (double)hits / (hits + misses);
        }

        long? keysGained = null, memoryGained = null;
        if (window > 0 && masters.Count > 0 && masters.All(m => then.ContainsKey(m.Address)))
        {
            keysGained = masters.Sum(static m => m.Keys) - masters.Sum(m => then[m.Address].Keys);
            memoryGained = masters.Sum(static m => m.UsedMemory) - masters.Sum(m => then[m.Address].UsedMemory);
        }

        // Extrapolating a few seconds to an hour turns allocator noise into megabytes: per-hour figures need a minute.
        bool hourly = window >= 60 && keysGained is not null;

        return new NamespaceFigures
        {
            Namespace = ns,
            OpsPerSecond = Rate(ns, round, previous, static c => c.Commands),
            MemoryUtilisation = limited.Count == 0 ? null : (double)limited.Sum(static m => m.UsedMemory) / limited.Sum(static m => m.MaxMemory),
            UsedMemoryBytes = masters.Count == 0 ? null : masters.Sum(static m => m.UsedMemory),
            HitRate = hitRate,
            Keys = masters.Count == 0 ? null : masters.Sum(static m => m.Keys),
            KeysGained = keysGained,
            MemoryGainedBytes = memoryGained,
            KeysGrowthPerHour = hourly ? keysGained * 3600 / window : null,
            MemoryGrowthBytesPerHour = hourly ? memoryGained * 3600 / window : null,
        };
    }
}
