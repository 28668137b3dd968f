using System.Net;
using Tessera.Local.Clusters;
using Tessera.Proxy.Hosting;
using Tessera.Resp.Client;
using Tessera.Resp.Values;

namespace Tessera.Proxy.Tests.Support;

/// <summary>
/// Real redis-server groups (started by <see cref="LocalCluster"/> on free loopback ports) behind a real
/// proxy listening on a free port. Everything is stopped on dispose.
/// </summary>
public sealed class ProxyCluster : IAsyncLifetime
{
    private readonly int _groups;
    private readonly int _replicas;
    private readonly ProxyOptions? _options;
    private string _directory = "";

    /// <summary>Two groups without replicas: what most data-path tests need.</summary>
    public ProxyCluster()
        : this(2, 0)
    {
    }

    internal ProxyCluster(int groups, int replicas, ProxyOptions? options = null)
    {
        _groups = groups;
        _replicas = replicas;
        _options = options;
    }

    public LocalCluster Cluster { get; private set; } = null!;

    public ProxyServer Proxy { get; private set; } = null!;

    public int Port => Proxy.Endpoint.Port;

    public async Task InitializeAsync()
    {
        _directory = Path.Combine(Path.GetTempPath(), "tessera-tests", Guid.NewGuid().ToString("N"));
        Cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Directory = _directory, Groups = _groups, Replicas = _replicas });
        var options = (_options ?? new ProxyOptions()) with { Listen = new IPEndPoint(IPAddress.Loopback, 0) };
        Proxy = await ProxyServer.StartAsync(options, Cluster.Topology);
    }

    public Task<RespClient> ConnectAsync() => RespClient.ConnectAsync("127.0.0.1", Port, TimeSpan.FromSeconds(10));

    /// <summary>A client straight to group <paramref name="groupId"/>'s master, bypassing the proxy.</summary>
    public Task<RespClient> ConnectToMasterAsync(int groupId) => Cluster.Groups.Single(g => g.Id == groupId).Master.ConnectAsync(TimeSpan.FromSeconds(10));

    public async Task DisposeAsync()
    {
        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }

        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A server still writing its log; the temp folder is cleaned by the OS eventually.
        }
    }
}

/// <summary>Assertions on replies that print the reply when they fail.</summary>
public static class Reply
{
    public static void Ok(RespValue value) => Assert.True(value.Kind == RespKind.SimpleString && value.AsString() == "OK", $"expected OK, got {value}");

    public static void Text(string expected, RespValue value) => Assert.True(value.AsString() == expected && !value.IsError, $"expected \"{expected}\", got {value}");

    public static void Integer(long expected, RespValue value) => Assert.True(value.Kind == RespKind.Integer && value.Integer == expected, $"expected (integer) {expected}, got {value}");

    public static void Null(RespValue value) => Assert.True(value.IsNull, $"expected (nil), got {value}");

    public static void Error(string startsWith, RespValue value) =>
        Assert.True(value.IsError && value.AsString()!.StartsWith(startsWith, StringComparison.Ordinal), $"expected an error starting with \"{startsWith}\", got {value}");

    /// <summary>An array reply as strings, nulls shown as "(nil)".</summary>
    public static string[] Strings(RespValue value)
    {
        Assert.True(value.Items is not null, $"expected an array, got {value}");
        return value.Items!.Select(i => i.AsString() ?? "(nil)").ToArray();
    }
}

/// <summary>Keys chosen by where they hash, for tests on the two-group cluster (slots 0-511 on group 1, 512-1023 on group 2).</summary>
public static class TestKeys
{
    /// <summary>The first key "prefix:N" whose slot belongs to <paramref name="group"/> (1 or 2).</summary>
    public static string OnGroup(int group, string prefix)
    {
        for (int i = 0; ; i++)
        {
            string key = $"{prefix}:{i}";
            if ((Tessera.Resp.Keys.KeySlot.Of(System.Text.Encoding.UTF8.GetBytes(key)) < 512) == (group == 1))
            {
                return key;
            }
        }
    }
}
