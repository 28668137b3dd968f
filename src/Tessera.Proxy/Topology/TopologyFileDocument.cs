using Tessera.Model.Topology;

namespace Tessera.Proxy.Topology;

/// <summary>
/// The shape of a topology file as written on disk (camelCase keys, JSON or YAML). Mutable and nullable so a
/// missing field can be reported by name instead of surfacing as a default value; converted to and from the
/// immutable <see cref="TopologyConfig"/> by <see cref="TopologyFile"/>.
/// </summary>
internal sealed class TopologyFileDocument
{
    public long? Epoch { get; set; }

    public List<NamespaceEntry>? Namespaces { get; set; }

    public static TopologyFileDocument From(TopologyConfig config)
    {
        var document = new TopologyFileDocument { Epoch = config.Epoch, Namespaces = [] };
        foreach (var ns in config.Namespaces)
        {
            var entry = new NamespaceEntry { Name = ns.Name, Groups = [], Slots = [] };
            foreach (var group in ns.Groups)
            {
                entry.Groups.Add(new GroupEntry { Id = group.Id, Master = group.Master, Replicas = [.. group.Replicas] });
            }

            foreach (var range in ns.Slots)
            {
                entry.Slots.Add(new SlotRangeEntry { From = range.From, To = range.To, Group = range.Group });
            }

            document.Namespaces.Add(entry);
        }

        return document;
    }

    /// <summary>Converts to a <see cref="TopologyConfig"/>, adding one line to <paramref name="problems"/> per missing field.</summary>
    public TopologyConfig ToConfig(List<string> problems)
    {
        var namespaces = new List<NamespaceConfig>();
        if (Namespaces is null)
        {
            problems.Add("'namespaces' is missing: a topology needs at least one namespace");
        }
        else
        {
            for (var n = 0; n < Namespaces.Count; n++)
            {
                var ns = Namespaces[n];
                if (ns is null)
                {
                    problems.Add($"namespace #{n + 1} is empty");
                    continue;
                }

                var where = string.IsNullOrEmpty(ns.Name) ? $"namespace #{n + 1}" : $"namespace '{ns.Name}'";
                if (string.IsNullOrEmpty(ns.Name))
                {
                    problems.Add($"{where} has no 'name'");
                }

                namespaces.Add(new NamespaceConfig
                {
                    Name = ns.Name ?? "",
                    Groups = ConvertGroups(ns.Groups, where, problems),
                    Slots = ConvertSlots(ns.Slots, where, problems),
                });
            }
        }

        return new TopologyConfig { Epoch = Epoch ?? 0, Namespaces = namespaces };
    }

    private static List<GroupConfig> ConvertGroups(List<GroupEntry>? entries, string where, List<string> problems)
    {
        var groups = new List<GroupConfig>();
        if (entries is null)
        {
            problems.Add($"{where} has no 'groups'");
            return groups;
        }

        for (var g = 0; g < entries.Count; g++)
        {
            var entry = entries[g];
            if (entry is null)
            {
                problems.Add($"{where}: group #{g + 1} is empty");
                continue;
            }

            var groupWhere = entry.Id is { } id ? $"{where}, group {id}" : $"{where}, group #{g + 1}";
            if (entry.Id is null)
            {
                problems.Add($"{groupWhere} has no 'id'");
            }

            if (string.IsNullOrEmpty(entry.Master))
            {
                problems.Add($"{groupWhere} has no 'master' (host:port)");
            }

            groups.Add(new GroupConfig { Id = entry.Id ?? 0, Master = entry.Master ?? "", Replicas = entry.Replicas ?? [] });
        }

        return groups;
    }

    private static List<SlotRangeConfig> ConvertSlots(List<SlotRangeEntry>? entries, string where, List<string> problems)
    {
        var slots = new List<SlotRangeConfig>();
        if (entries is null)
        {
            problems.Add($"{where} has no 'slots': assign the slots 0..1023 to its groups");
            return slots;
        }

        for (var s = 0; s < entries.Count; s++)
        {
            var entry = entries[s];
            if (entry is null || entry.From is null || entry.To is null || entry.Group is null)
            {
                problems.Add($"{where}: slot range #{s + 1} needs 'from', 'to' and 'group'");
                continue;
            }

            slots.Add(new SlotRangeConfig { From = entry.From.Value, To = entry.To.Value, Group = entry.Group.Value });
        }

        return slots;
    }

    internal sealed class NamespaceEntry
    {
        public string? Name { get; set; }

        public List<GroupEntry>? Groups { get; set; }

        public List<SlotRangeEntry>? Slots { get; set; }
    }

    internal sealed class GroupEntry
    {
        public int? Id { get; set; }

        public string? Master { get; set; }

        public List<string>? Replicas { get; set; }
    }

    internal sealed class SlotRangeEntry
    {
        public int? From { get; set; }

        public int? To { get; set; }

        public int? Group { get; set; }
    }
}
