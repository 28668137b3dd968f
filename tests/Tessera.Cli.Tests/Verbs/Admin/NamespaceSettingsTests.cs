using System.Text.Json;
using Tessera.Model.Api;
using Tessera.Resp.Client;

namespace Tessera.Cli.Tests.Verbs.Admin;

/// <summary>`tessera namespace set`: a setting changed through the CLI reaches a running store-backed proxy.</summary>
public sealed class NamespaceSettingsTests
{
    [Fact]
    public async Task Allowing_flush_lets_FLUSHDB_through_the_proxy_empty_every_group_and_refusing_it_again_stops_it()
    {
        await using var cluster = await MigrationCluster.StartAsync(groups: 2, proxies: 1);
        var url = cluster.Controller.Url.ToString();
        await cluster.FillAsync(1, "a", 50);
        await cluster.FillAsync(2, "b", 50);
        var proxy = cluster.Proxies[0].Endpoint;
        await using var client = await RespClient.ConnectAsync(proxy.Address.ToString(), proxy.Port, TimeSpan.FromSeconds(5));

        var refused = await client.CallAsync("FLUSHDB");
        Assert.True(refused.IsError, refused.ToString());
        Assert.Contains("tessera namespace set default --allow-flush true", refused.AsString(), StringComparison.Ordinal);
        Assert.Equal(50, (await cluster.KeysAsync(1)).Count);

        var allowed = await AdminCli.OkAsync("namespace", "set", "default", "--allow-flush", "true", "--json", "--controller", url);
        var change = JsonSerializer.Deserialize<ChangeResult>(allowed.Output, TesseraJson.Options)!;
        Assert.True(change.Namespace.AllowFlush);
        Assert.Equal(PushOutcome.Acked, Assert.Single(Assert.Single(change.Pushes).Proxies).Outcome);
        Assert.Contains("allowed", (await AdminCli.OkAsync("namespace", "list", "--controller", url)).Output, StringComparison.Ordinal);

        Assert.True((await client.CallAsync("FLUSHDB")).IsOk);
        Assert.Empty(await cluster.KeysAsync(1));
        Assert.Empty(await cluster.KeysAsync(2));

        await AdminCli.OkAsync("namespace", "set", "default", "--allow-flush", "false", "--controller", url);
        Assert.True((await client.CallAsync("FLUSHALL")).IsError);

        var nothing = await AdminCli.RunAsync("namespace", "set", "default", "--controller", url);
        Assert.Equal(2, nothing.ExitCode);
        Assert.Contains("nothing to change", nothing.Error, StringComparison.Ordinal);
    }
}
