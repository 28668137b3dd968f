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
            // Defaults (epoch 0, no zones, online, no target) are left out so files stay short.
            var entry = new NamespaceEntry { Name = ns.Name, Epoch = ns.Epoch == 0 ? null : ns.Epoch, AllowFlush = ns.AllowFlush ? true : null, ReadOnly = ns.ReadOnly ? true : null, AllowedIps = ns.AllowedIps.Count == 0 ? null : [.. ns.AllowedIps], Groups = [], Slots = [] };
            foreach (var group in ns.Groups)
            {
                entry.Groups.Add(new GroupEntry
                {
                    Id = group.Id,
                    Master = group.Master,
                    Replicas = [.. group.Replicas],
                    Zones = group.Zones.Count == 0 ? null : new Dictionary<string, string>(group.Zones, StringComparer.Ordinal),
                });
            }

            foreach (var range in ns.Slots)
            {
                entry.Slots.Add(new SlotRangeEntry
                {
                    From = range.From,
                    To = range.To,
                    Group = range.Group,
                    State = range.State == SlotState.Online ? null : StateName(range.State),
                    Target = range.Target,
                });
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

                if (ns.Epoch < 0)
                {
                    problems.Add($"{where}: 'epoch' is {ns.Epoch}; it must be 0 or more");
                }

                namespaces.Add(new NamespaceConfig
                {
                    Name = ns.Name ?? "",
                    Epoch = ns.Epoch ?? 0,
                    AllowFlush = ns.AllowFlush ?? false,
                    Open = ns.Open ?? true,
                    ReadOnly = ns.ReadOnly ?? false,
                    AllowedIps = ns.AllowedIps ?? [],
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

            var zones = entry.Zones ?? [];
            foreach (var server in zones.Keys)
            {
                if (server != entry.Master && (entry.Replicas is null || !entry.Replicas.Contains(server)))
                {
                    problems.Add($"{groupWhere}: 'zones' names {server}, which is not a server of this group");
                }
            }

            groups.Add(new GroupConfig
            {
                Id = entry.Id ?? 0,
                Master = entry.Master ?? "",
                Replicas = entry.Replicas ?? [],
                Zones = zones,
            });
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

            var rangeWhere = $"{where}: slot range {entry.From}..{entry.To}";
            var state = SlotState.Online;
            if (entry.State is not null && !TryParseState(entry.State, out state))
            {
                problems.Add($"{rangeWhere}: state '{entry.State}' is not one of online, locked, migrating");
            }

            if (state == SlotState.Migrating && entry.Target is null)
            {
                problems.Add($"{rangeWhere} is migrating but has no 'target' group");
            }
            else if (state != SlotState.Migrating && entry.Target is not null)
            {
                problems.Add($"{rangeWhere} has a 'target' but is not migrating; set 'state: migrating' or remove the target");
            }

            slots.Add(new SlotRangeConfig
            {
                From = entry.From.Value,
                To = entry.To.Value,
                Group = entry.Group.Value,
                State = state,
                Target = entry.Target,
            });
        }

        return slots;
    }

    private static string StateName(SlotState state) => state switch
    {
        SlotState.Locked => "locked",
        SlotState.Migrating => "migrating",
        _ => "online",
    };

    private static bool TryParseState(string text, out SlotState state)
    {
        switch (text.ToUpperInvariant())
        {
            case "ONLINE":
                state = SlotState.Online;
                return true;
            case "LOCKED":
                state = SlotState.Locked;
                return true;
            case "MIGRATING":
                state = SlotState.Migrating;
                return true;
            default:
                state = SlotState.Online;
                return false;
        }
    }

    internal sealed class NamespaceEntry
    {
        public string? Name { get; set; }

        public long? Epoch { get; set; }

        /// <summary>FLUSHDB/FLUSHALL through the proxy empty every group of the namespace (refused when absent or false).</summary>
        public bool? AllowFlush { get; set; }

        /// <summary>
        /// Accepted so that a store-backed proxy's <c>/api/topology/config</c> reads back as a file; a proxy serving a file
        /// has no users, so every namespace of it is open whatever this says.
        /// </summary>
        public bool? Open { get; set; }

        /// <summary>The read-only switch: writes are refused, reads go on.</summary>
        public bool? ReadOnly { get; set; }

        /// <summary>Client addresses or CIDR networks allowed to use the namespace; absent or empty: any.</summary>
        public List<string>? AllowedIps { get; set; }

        public List<GroupEntry>? Groups { get; set; }

        public List<SlotRangeEntry>? Slots { get; set; }
    }

    internal sealed class GroupEntry
    {
        public int? Id { get; set; }

        public string? Master { get; set; }

        public List<string>? Replicas { get; set; }

        /// <summary>Zone label per server ("host:port" → zone).</summary>
        public Dictionary<string, string>? Zones { get; set; }
    }

    internal sealed class SlotRangeEntry
    {
        public int? From { get; set; }

        public int? To { get; set; }

        public int? Group { get; set; }

        /// <summary>online (default), locked or migrating.</summary>
        public string? State { get; set; }

        /// <summary>The group the slots move to while migrating.</summary>
        public int? Target { get; set; }
    }
}
