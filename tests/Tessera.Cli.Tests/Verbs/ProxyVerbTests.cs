using System.Globalization;
using Tessera.Local.Clusters;
using Tessera.Local.Networking;
using Tessera.Model.Topology;
using Tessera.Proxy.Topology;
using Tessera.Resp.Client;

namespace Tessera.Cli.Tests.Verbs;

public sealed class ProxyVerbTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _directory = new("tessera-proxy-verb-test");

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData("topology.yaml")]
    [InlineData("topology.json")]
    public async Task Proxy_serves_a_topology_file_until_SIGTERM(string fileName)
    {
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions
        {
            Directory = Path.Combine(_directory.Path, "servers"), Groups = 2, Replicas = 0,
        });
        var file = Path.Combine(_directory.Path, fileName);
        TopologyFile.Save(cluster.Topology, file);
        var port = FreePort.Find();

        using var cli = TesseraProcess.Start("proxy", "--config", file, "--listen", $"127.0.0.1:{port}", "--log-level", "Warning");
        await cli.WaitForLineAsync("ready", Bound);

        await using (var client = await RespClient.ConnectAsync("127.0.0.1", port))
        {
            Assert.Equal("OK", (await client.CallAsync("SET", "{user1}.name", "alice")).AsString());
            Assert.Equal("OK", (await client.CallAsync("SET", "{user1}.mail", "a@example.org")).AsString());
            var both = await client.CallAsync("MGET", "{user1}.name", "{user1}.mail");
            Assert.Equal(["alice", "a@example.org"], both.Items!.Select(v => v.AsString()));
        }

        cli.Signal("TERM");
        Assert.True(await cli.WaitForExitAsync(Bound), $"tessera proxy did not exit on SIGTERM. Output:\n{cli.Output}");
        Assert.True(cli.ExitCode == 0, $"exit code {cli.ExitCode}. Output:\n{cli.Output}");
        Assert.True(await FreePort.WaitUntilFreeAsync(port, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Proxy_refuses_an_invalid_file_naming_it_and_the_problem()
    {
        var file = Path.Combine(_directory.Path, "bad.yaml");
        await File.WriteAllTextAsync(file, """
            namespaces:
              - name: default
                groups: [{ id: 1, master: 127.0.0.1:7001 }]
                slots: [{ from: 0, to: 1023, group: 2 }]
            """);

        using var cli = TesseraProcess.Start("proxy", "--config", file, "--listen", FreePort.Find().ToString(CultureInfo.InvariantCulture));

        Assert.True(await cli.WaitForExitAsync(Bound));
        Assert.Equal(1, cli.ExitCode);
        Assert.Contains(file, cli.Output, StringComparison.Ordinal);
        Assert.Contains("names group 2, which is not defined", cli.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Proxy_with_cluster_face_answers_cluster_slots_with_its_announced_address()
    {
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions
        {
            Directory = Path.Combine(_directory.Path, "servers"), Groups = 1, Replicas = 0,
        });
        var file = Path.Combine(_directory.Path, "topology.yaml");
        TopologyFile.Save(cluster.Topology, file);
        var port = FreePort.Find();

        using var cli = TesseraProcess.Start("proxy", "--config", file, "--listen", $"127.0.0.1:{port}", "--cluster-face", "--announce", "10.1.2.3:7000", "--log-level", "Warning");
        await cli.WaitForLineAsync("ready", Bound);
        await using (var client = await RespClient.ConnectAsync("127.0.0.1", port))
        {
            // A topology-file proxy has no store to learn of others from: it lists itself, with every slot.
            var range = Assert.Single((await client.CallAsync("CLUSTER", "SLOTS")).Items!).Items!;
            Assert.Equal((0, 16383), (range[0].Integer, range[1].Integer));
            Assert.Equal(("10.1.2.3", 7000L), (range[2].Items![0].AsString(), range[2].Items![1].Integer));
            Assert.Contains("cluster_enabled:1", (await client.CallAsync("INFO", "cluster")).AsString(), StringComparison.Ordinal);
        }

        cli.Signal("TERM");
        Assert.True(await cli.WaitForExitAsync(Bound), $"tessera proxy did not exit on SIGTERM. Output:\n{cli.Output}");
    }

    [Fact]
    public async Task Proxy_refuses_an_announced_address_without_a_port()
    {
        using var cli = TesseraProcess.Start("proxy", "--config", "x.yaml", "--cluster-face", "--announce", "10.1.2.3");
        Assert.True(await cli.WaitForExitAsync(Bound));
        Assert.NotEqual(0, cli.ExitCode);
        Assert.Contains("--announce wants host:port", cli.Output, StringComparison.Ordinal);
    }
}
