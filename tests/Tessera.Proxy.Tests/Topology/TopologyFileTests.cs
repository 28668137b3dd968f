using Tessera.Model.Topology;
using Tessera.Proxy.Topology;

namespace Tessera.Proxy.Tests.Topology;

public sealed class TopologyFileTests : IDisposable
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

    [Theory]
    [InlineData("duplicate group id", """
        namespaces:
          - name: default
            groups:
              - { id: 1, master: 127.0.0.1:7001 }
              - { id: 1, master: 127.0.0.1:7003 }
            slots: [{ from: 0, to: 1023, group: 1 }]
        """, "group id 1 is defined twice")]
    [InlineData("server in two groups", """
        namespaces:
          - name: default
            groups:
              - { id: 1, master: 127.0.0.1:7001 }
              - { id: 2, master: 127.0.0.1:7003, replicas: [127.0.0.1:7001] }
            slots: [{ from: 0, to: 511, group: 1 }, { from: 512, to: 1023, group: 2 }]
        """, "server 127.0.0.1:7001 is in namespace 'default', group 1 and in namespace 'default', group 2; a server belongs to one group only")]
    [InlineData("server in two namespaces", """
        namespaces:
          - name: a
            groups: [{ id: 1, master: 127.0.0.1:7001 }]
            slots: [{ from: 0, to: 1023, group: 1 }]
          - name: b
            groups: [{ id: 1, master: 127.0.0.1:7001 }]
            slots: [{ from: 0, to: 1023, group: 1 }]
        """, "server 127.0.0.1:7001 is in namespace 'a', group 1 and in namespace 'b', group 1")]
    [InlineData("slot range past 1023", """
        namespaces:
          - name: default
            groups: [{ id: 1, master: 127.0.0.1:7001 }]
            slots: [{ from: 0, to: 1024, group: 1 }]
        """, "slot range 0..1024 is outside 0..1023")]
    [InlineData("negative slot", """
        namespaces:
          - name: default
            groups: [{ id: 1, master: 127.0.0.1:7001 }]
            slots: [{ from: -1, to: 1023, group: 1 }]
        """, "slot range -1..1023 is outside 0..1023")]
    [InlineData("reversed range", """
        namespaces:
          - name: default
            groups: [{ id: 1, master: 127.0.0.1:7001 }]
            slots: [{ from: 1023, to: 0, group: 1 }]
        """, "slot range 1023..0 is reversed")]
    [InlineData("overlapping ranges", """
        namespaces:
          - name: default
            groups:
              - { id: 1, master: 127.0.0.1:7001 }
              - { id: 2, master: 127.0.0.1:7003 }
            slots: [{ from: 0, to: 600, group: 1 }, { from: 500, to: 1023, group: 2 }]
        """, "slot range 500..1023 (group 2) overlaps slot range 0..600 (group 1)")]
    [InlineData("range naming a missing group", """
        namespaces:
          - name: default
            groups: [{ id: 1, master: 127.0.0.1:7001 }]
            slots: [{ from: 0, to: 511, group: 1 }, { from: 512, to: 1023, group: 3 }]
        """, "slot range 512..1023 names group 3, which is not defined in this namespace")]
    [InlineData("unassigned slots", """
        namespaces:
          - name: default
            groups: [{ id: 1, master: 127.0.0.1:7001 }]
            slots: [{ from: 0, to: 99, group: 1 }, { from: 200, to: 1000, group: 1 }]
        """, "slots 100..199, 1001..1023 are not assigned to any group")]
    [InlineData("master without port", """
        namespaces:
          - name: default
            groups: [{ id: 1, master: localhost }]
            slots: [{ from: 0, to: 1023, group: 1 }]
        """, "group 1: master 'localhost' is not host:port")]
    [InlineData("port out of range", """
        namespaces:
          - name: default
            groups: [{ id: 1, master: 127.0.0.1:7001, replicas: ["127.0.0.1:70000"] }]
            slots: [{ from: 0, to: 1023, group: 1 }]
        """, "group 1: replica '127.0.0.1:70000' is not host:port")]
    [InlineData("missing master", """
        namespaces:
          - name: default
            groups: [{ id: 1 }]
            slots: [{ from: 0, to: 1023, group: 1 }]
        """, "group 1 has no 'master'")]
    [InlineData("duplicate namespace", """
        namespaces:
          - name: default
            groups: [{ id: 1, master: 127.0.0.1:7001 }]
            slots: [{ from: 0, to: 1023, group: 1 }]
          - name: default
            groups: [{ id: 1, master: 127.0.0.1:7002 }]
            slots: [{ from: 0, to: 1023, group: 1 }]
        """, "namespace 'default' is defined twice")]
    [InlineData("unknown slot state", """
        namespaces:
          - name: default
            groups: [{ id: 1, master: 127.0.0.1:7001 }]
            slots: [{ from: 0, to: 1023, group: 1, state: moving }]
        """, "slot range 0..1023: state 'moving' is not one of online, locked, migrating")]
    [InlineData("migrating without target", """
        namespaces:
          - name: default
            groups: [{ id: 1, master: 127.0.0.1:7001 }]
            slots: [{ from: 0, to: 1023, group: 1, state: migrating }]
        """, "slot range 0..1023 is migrating but has no 'target' group")]
    [InlineData("target without migrating", """
        namespaces:
          - name: default
            groups: [{ id: 1, master: 127.0.0.1:7001 }, { id: 2, master: 127.0.0.1:7002 }]
            slots: [{ from: 0, to: 1023, group: 1, target: 2 }]
        """, "has a 'target' but is not migrating")]
    [InlineData("zone for a foreign server", """
        namespaces:
          - name: default
            groups: [{ id: 1, master: 127.0.0.1:7001, zones: { "127.0.0.1:9999": zone-a } }]
            slots: [{ from: 0, to: 1023, group: 1 }]
        """, "'zones' names 127.0.0.1:9999, which is not a server of this group")]
    [InlineData("negative namespace epoch", """
        namespaces:
          - name: default
            epoch: -1
            groups: [{ id: 1, master: 127.0.0.1:7001 }]
            slots: [{ from: 0, to: 1023, group: 1 }]
        """, "namespace 'default': 'epoch' is -1")]
    [InlineData("no namespaces", "epoch: 1\n", "'namespaces' is missing")]
    [InlineData("misspelt key", """
        namespaces:
          - name: default
            groups: [{ id: 1, mastr: 127.0.0.1:7001 }]
            slots: [{ from: 0, to: 1023, group: 1 }]
        """, "line 3, column")]
    [InlineData("not a number", """
        namespaces:
          - name: default
            groups: [{ id: one, master: 127.0.0.1:7001 }]
            slots: [{ from: 0, to: 1023, group: 1 }]
        """, "line 3, column")]
    [InlineData("empty file", "", "the file is empty")]
    public void Invalid_yaml_is_refused_with_a_message_naming_the_file_and_the_problem(string caseName, string yaml, string expected)
    {
        var path = Write("bad.yaml", yaml);

        var error = Assert.Throws<TopologyFileException>(() => TopologyFile.Load(path));

        Assert.True(error.Message.StartsWith(path, StringComparison.Ordinal), $"{caseName}: message does not name the file: {error.Message}");
        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{caseName}: expected '{expected}' in: {error.Message}");
        Assert.NotEmpty(error.Problems);
    }

    [Fact]
    public void Misspelt_yaml_key_names_the_key_and_not_internal_types()
    {
        var path = Write("bad.yaml", "epoch: 1\nnamespace: []\n");

        var error = Assert.Throws<TopologyFileException>(() => TopologyFile.Load(path));

        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("'namespace'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("TopologyFileDocument", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "namespaces": [ { "name": "default", "groups": [ { "id": 1, "mastr": "127.0.0.1:1" } ] } ] }""", "'mastr'")]
    [InlineData("""{ "namespaces": [ { "name": "default", "groups": [ { "id": "x" } ] } ] }""", "line 1")]
    [InlineData("{ \"epoch\": 1,\n  \"namespaces\": [ \n", "line 3")]
    [InlineData("""{ "namespaces": [ { "name": "default", "groups": [ { "id": 1, "master": "127.0.0.1:7001" }, { "id": 1, "master": "127.0.0.1:7002" } ], "slots": [ { "from": 0, "to": 1023, "group": 1 } ] } ] }""", "group id 1 is defined twice")]
    public void Invalid_json_is_refused_with_a_message_naming_the_file_and_the_problem(string json, string expected)
    {
        var path = Write("bad.json", json);

        var error = Assert.Throws<TopologyFileException>(() => TopologyFile.Load(path));

        Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("TopologyFileDocument", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void All_problems_are_reported_at_once()
    {
        var path = Write("bad.yaml", """
            namespaces:
              - name: default
                groups:
                  - { id: 1, master: nope }
                  - { id: 1, master: 127.0.0.1:7003 }
                slots: [{ from: 0, to: 2000, group: 9 }]
            """);

        var error = Assert.Throws<TopologyFileException>(() => TopologyFile.Load(path));

        Assert.True(error.Problems.Count >= 4, error.Message);
    }

    [Fact]
    public void Unknown_extension_is_refused()
    {
        var path = Write("topology.txt", ValidYaml);

        var error = Assert.Throws<TopologyFileException>(() => TopologyFile.Load(path));

        Assert.Contains("*.json, *.yaml or *.yml", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_is_reported_with_its_path()
    {
        var path = Path.Combine(_directory, "absent.yaml");

        var error = Assert.Throws<TopologyFileException>(() => TopologyFile.Load(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Saving_an_invalid_topology_throws_and_writes_nothing()
    {
        var invalid = Sample() with { Namespaces = [] };
        var path = Path.Combine(_directory, "never.yaml");

        Assert.Throws<TopologyFileException>(() => TopologyFile.Save(invalid, path));

        Assert.False(File.Exists(path));
    }

    [Theory]
    [InlineData("127.0.0.1:6379", true, "127.0.0.1", 6379)]
    [InlineData("redis-a.internal:7000", true, "redis-a.internal", 7000)]
    [InlineData("[::1]:6379", true, "::1", 6379)]
    [InlineData("::1:6379", false, "", 0)]
    [InlineData("127.0.0.1", false, "", 0)]
    [InlineData("127.0.0.1:", false, "", 0)]
    [InlineData(":6379", false, "", 0)]
    [InlineData("127.0.0.1:0", false, "", 0)]
    [InlineData("127.0.0.1:65536", false, "", 0)]
    [InlineData("127.0.0.1:+80", false, "", 0)]
    [InlineData("my host:80", false, "", 0)]
    [InlineData("", false, "", 0)]
    public void TryParseHostPort_accepts_only_host_colon_port(string text, bool ok, string host, int port)
    {
        Assert.Equal(ok, TopologyValidator.TryParseHostPort(text, out var parsedHost, out var parsedPort));
        Assert.Equal(host, parsedHost);
        Assert.Equal(port, parsedPort);
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
