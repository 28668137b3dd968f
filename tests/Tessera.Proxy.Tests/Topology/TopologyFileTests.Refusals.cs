using Tessera.Model.Topology;
using Tessera.Proxy.Topology;

namespace Tessera.Proxy.Tests.Topology;

/// <summary>Topology files that are refused, each with a message naming the file and the problem (the fixture and helpers are in TopologyFileTests.cs).</summary>
public sealed partial class TopologyFileTests
{
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
}
