using Tessera.Model.Topology;
using Tessera.Proxy.Topology;

namespace Tessera.Proxy.Tests.Topology;

public sealed partial class TopologyFileTests : IDisposable
{
    private const string ValidYaml = """
        # two groups, one replica each
        epoch: 7
        namespaces:
          - name: default
            groups:
              - id: 1
                master: 127.0.0.1:7001
                replicas: [127.0.0.1:7002]
              - id: 2
                master: 127.0.0.1:7003
            slots:
              - { from: 0, to: 511, group: 1 }
              - from: 512
                to: 1023
                group: 2
        """;

    private const string ValidJson = """
        {
          // comments and trailing commas are allowed in hand-written files
          "epoch": 7,
          "namespaces": [
            {
              "name": "default",
              "groups": [
                { "id": 1, "master": "127.0.0.1:7001", "replicas": ["127.0.0.1:7002"] },
                { "id": 2, "master": "127.0.0.1:7003" },
              ],
              "slots": [
                { "from": 0, "to": 511, "group": 1 },
                { "from": 512, "to": 1023, "group": 2 }
              ]
            }
          ]
        }
        """;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tessera-topology-tests-" + Guid.NewGuid().ToString("N"));

    public TopologyFileTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("topology.yaml", ValidYaml)]
    [InlineData("topology.yml", ValidYaml)]
    [InlineData("topology.json", ValidJson)]
    public void Load_reads_a_valid_file(string name, string text)
    {
        var topology = TopologyFile.Load(Write(name, text));

        Assert.Equal(7, topology.Epoch);
        var ns = Assert.Single(topology.Namespaces);
        Assert.Equal("default", ns.Name);
        Assert.Equal(2, ns.Groups.Count);
        Assert.Equal(1, ns.Groups[0].Id);
        Assert.Equal("127.0.0.1:7001", ns.Groups[0].Master);
        Assert.Equal(["127.0.0.1:7002"], ns.Groups[0].Replicas);
        Assert.Equal("127.0.0.1:7003", ns.Groups[1].Master);
        Assert.Empty(ns.Groups[1].Replicas);
        Assert.Equal(2, ns.Slots.Count);
        Assert.Equal((0, 511, 1), (ns.Slots[0].From, ns.Slots[0].To, ns.Slots[0].Group));
        Assert.Equal((512, 1023, 2), (ns.Slots[1].From, ns.Slots[1].To, ns.Slots[1].Group));
    }

    [Theory]
    [InlineData("topology.yaml", "allowFlush: true")]
    [InlineData("topology.json", "\"allowFlush\": true,")]
    public void A_namespace_may_allow_flush_and_the_setting_round_trips(string name, string line)
    {
        var text = (name.EndsWith(".json", StringComparison.Ordinal) ? ValidJson : ValidYaml)
            .Replace("name: default", "name: default\n    " + line, StringComparison.Ordinal)
            .Replace("\"name\": \"default\",", "\"name\": \"default\", " + line, StringComparison.Ordinal);

        var topology = TopologyFile.Load(Write(name, text));
        Assert.True(Assert.Single(topology.Namespaces).AllowFlush);
        Assert.False(TopologyFile.Load(Write("plain-" + name, name.EndsWith(".json", StringComparison.Ordinal) ? ValidJson : ValidYaml)).Namespaces[0].AllowFlush);

        var path = Path.Combine(_directory, "again-" + name);
        TopologyFile.Save(topology, path, comment: null);
        Assert.True(TopologyFile.Load(path).Namespaces[0].AllowFlush);
    }

    [Theory]
    [InlineData("out.yaml")]
    [InlineData("out.json")]
    public void Save_then_Load_round_trips(string name)
    {
        var original = Sample();
        var path = Path.Combine(_directory, "nested", name);

        TopologyFile.Save(original, path, comment: "written by a test");
        var loaded = TopologyFile.Load(path);

        Assert.Equal(Describe(original), Describe(loaded));
        Assert.Equal(["out." + name.Split('.')[1]], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public void Yaml_output_uses_camelCase_keys_and_the_comment()
    {
        var text = TopologyFile.Serialize(Sample(), TopologyFileFormat.Yaml, "line one\nline two");

        Assert.StartsWith("# line one\n# line two\n", text, StringComparison.Ordinal);
        Assert.Contains("epoch: 3", text, StringComparison.Ordinal);
        Assert.Contains("master: 127.0.0.1:7001", text, StringComparison.Ordinal);
        Assert.Contains("from: 0", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_are_left_out_of_written_files()
    {
        var plain = Sample() with { Namespaces = [Sample().Namespaces[1]] };

        var yaml = TopologyFile.Serialize(plain, TopologyFileFormat.Yaml);
        var json = TopologyFile.Serialize(plain, TopologyFileFormat.Json);

        foreach (var text in new[] { yaml, json })
        {
            Assert.DoesNotContain("state", text, StringComparison.Ordinal);
            Assert.DoesNotContain("target", text, StringComparison.Ordinal);
            Assert.DoesNotContain("zones", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Slot_states_are_written_in_lower_case()
    {
        var text = TopologyFile.Serialize(Sample(), TopologyFileFormat.Yaml);

        Assert.Contains("state: migrating", text, StringComparison.Ordinal);
        Assert.Contains("target: 2", text, StringComparison.Ordinal);
        Assert.Contains("state: locked", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_output_uses_camelCase_keys()
    {
        var text = TopologyFile.Serialize(Sample(), TopologyFileFormat.Json);

        Assert.Contains("\"namespaces\"", text, StringComparison.Ordinal);
        Assert.Contains("\"master\": \"127.0.0.1:7001\"", text, StringComparison.Ordinal);
    }

    private static TopologyConfig Sample() => new()
    {
        Epoch = 3,
        Namespaces =
        [
            new NamespaceConfig
            {
                Name = "default",
                Epoch = 12,
                Groups =
                [
                    new GroupConfig
                    {
                        Id = 1,
                        Master = "127.0.0.1:7001",
                        Replicas = ["127.0.0.1:7002", "Redis-B.internal:7005"],
                        Zones = new Dictionary<string, string> { ["127.0.0.1:7001"] = "zone-a", ["Redis-B.internal:7005"] = "zone-b" },
                    },
                    new GroupConfig { Id = 2, Master = "127.0.0.1:7003" },
                ],
                Slots =
                [
                    new SlotRangeConfig { From = 0, To = 99, Group = 1 },
                    new SlotRangeConfig { From = 100, To = 199, Group = 1, State = SlotState.Migrating, Target = 2 },
                    new SlotRangeConfig { From = 200, To = 299, Group = 2, State = SlotState.Locked },
                    new SlotRangeConfig { From = 300, To = 1023, Group = 2 },
                ],
            },
            new NamespaceConfig
            {
                Name = "orders",
                Groups = [new GroupConfig { Id = 5, Master = "[::1]:7010" }],
                Slots = [new SlotRangeConfig { From = 0, To = 1023, Group = 5 }],
            },
        ],
    };

    /// <summary>A structural rendering: records with list members do not compare lists by value.</summary>
    private static string Describe(TopologyConfig topology)
    {
        var parts = new List<string> { $"epoch {topology.Epoch}" };
        foreach (var ns in topology.Namespaces)
        {
            parts.Add($"ns {ns.Name} epoch {ns.Epoch}");
            parts.AddRange(ns.Groups.Select(g =>
                $"group {g.Id} {g.Master} [{string.Join(",", g.Replicas)}] zones [{string.Join(",", g.Zones.OrderBy(z => z.Key, StringComparer.Ordinal).Select(z => $"{z.Key}={z.Value}"))}]"));
            parts.AddRange(ns.Slots.Select(s => $"slots {s.From}..{s.To} -> {s.Group} {s.State} {s.Target}"));
        }

        return string.Join("\n", parts);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }
}
