using System.Globalization;
using System.Text.Json;
using Tessera.Local.Networking;
using Tessera.Model.Api;
using Tessera.Model.Topology;

namespace Tessera.Cli.Tests.Verbs.Admin;

/// <summary>The admin verbs against a real controller (in-process CLI, real redis-servers): readable output, --json, errors and exit codes.</summary>
public sealed class AdminVerbTests
{
    [Fact]
    public async Task A_namespace_is_built_with_the_verbs_and_read_back_as_json()
    {
        using var dir = new TempDirectory();
        await using var redis = await RedisServers.StartAsync(dir, 2);
        await using var controller = await TestControllers.StartLeaderAsync(dir.StoreUrl);
        var url = controller.Url.ToString();

        await AdminCli.OkAsync("namespace", "create", "default", "--controller", url);
        await AdminCli.OkAsync("group", "create", "default", "1", "--controller", url);
        var master = await AdminCli.OkAsync("group", "add", "default", "1", redis[0].Endpoint, "--controller", url);
        Assert.Contains("as its master", master.Output, StringComparison.Ordinal);
        Assert.Contains("no proxies registered", master.Output, StringComparison.Ordinal);
        await AdminCli.OkAsync("group", "add", "default", "1", redis[1].Endpoint, "--zone", "b", "--controller", url);
        var assigned = await AdminCli.OkAsync("slots", "assign", "default", "0-1023", "1", "--controller", url, "--json");
        Assert.Equal(1024, JsonSerializer.Deserialize<ChangeResult>(assigned.Output, TesseraJson.Options)!.Namespace.Slots.Sum(r => r.To - r.From + 1));

        var slots = JsonSerializer.Deserialize<SlotsView>((await AdminCli.OkAsync("slots", "show", "default", "--json", "--controller", url)).Output, TesseraJson.Options)!;
        Assert.Equal((0, 1023, 1, SlotState.Online), (slots.Ranges.Single().From, slots.Ranges.Single().To, slots.Ranges.Single().Group, slots.Ranges.Single().State));

        var list = JsonSerializer.Deserialize<List<NamespaceConfig>>((await AdminCli.OkAsync("namespace", "list", "--json", "--controller", url)).Output, TesseraJson.Options)!;
        Assert.Equal([redis[1].Endpoint], list.Single().Groups.Single().Replicas);

        var status = JsonSerializer.Deserialize<StatusReport>((await AdminCli.OkAsync("status", "--json", "--controller", url)).Output, TesseraJson.Options)!;
        Assert.True(status.Controller.IsLeader);
        var servers = status.Namespaces.Single().Groups.Single().Servers;
        Assert.Equal(["master", "replica"], servers.Select(s => s.Observed));
        Assert.Equal(1024, status.Namespaces.Single().AssignedSlots);

        Assert.Empty(JsonSerializer.Deserialize<List<ProxyStatus>>((await AdminCli.OkAsync("proxies", "--json", "--controller", url)).Output, TesseraJson.Options)!);
    }

    [Fact]
    public async Task Readable_output_is_aligned_text_when_not_a_terminal()
    {
        using var dir = new TempDirectory();
        await using var redis = await RedisServers.StartAsync(dir, 1);
        await using var controller = await TestControllers.StartLeaderAsync(dir.StoreUrl);
        var url = controller.Url.ToString();
        await AdminCli.OkAsync("namespace", "create", "shop", "--controller", url);
        await AdminCli.OkAsync("group", "create", "shop", "1", "--controller", url);
        await AdminCli.OkAsync("group", "add", "shop", "1", redis[0].Endpoint, "--controller", url);
        await AdminCli.OkAsync("slots", "assign", "shop", "7", "1", "--controller", url);

        var slots = (await AdminCli.OkAsync("slots", "show", "shop", "--controller", url)).Output;
        Assert.Contains("SLOTS  COUNT  GROUP  STATE   TARGET", slots, StringComparison.Ordinal);
        Assert.Contains("7-7    1      1      online  -", slots, StringComparison.Ordinal);
        Assert.Contains("Unassigned: 0-6, 8-1023 (1023 slots)", slots, StringComparison.Ordinal);

        var status = (await AdminCli.OkAsync("status", "--controller", url)).Output;
        Assert.Contains("leader", status, StringComparison.Ordinal);
        Assert.Contains($"{redis[0].Endpoint}  master  master", status, StringComparison.Ordinal);
        Assert.Contains("No proxies registered", status, StringComparison.Ordinal);

        var list = (await AdminCli.OkAsync("namespace", "list", "--controller", url)).Output;
        Assert.Contains("shop", list, StringComparison.Ordinal);
        Assert.Contains("1/1024", list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refusal_prints_one_error_line_and_exits_1()
    {
        using var dir = new TempDirectory();
        await using var controller = await TestControllers.StartLeaderAsync(dir.StoreUrl);
        var url = controller.Url.ToString();

        var result = await AdminCli.RunAsync("group", "create", "nope", "1", "--controller", url);
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal("", result.Output);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: namespace 'nope' does not exist", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("slots", "assign", "default", "9-3", "1")]
    [InlineData("slots", "assign", "default", "0-2000", "1")]
    [InlineData("group", "create", "default", "one")]
    [InlineData("group", "add", "default", "1")]
    [InlineData("namespace")]
    [InlineData("status", "--controller", "ftp://x")]
    public async Task Usage_errors_print_one_line_pointing_at_help_and_exit_2(params string[] args)
    {
        var result = await AdminCli.RunAsync(args);
        Assert.True(result.ExitCode == 2, result.ToString());
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains("--help`)", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_change_sent_to_a_standby_is_carried_out_by_the_leader_it_names()
    {
        using var dir = new TempDirectory();
        await using var leader = await TestControllers.StartLeaderAsync(dir.StoreUrl, "ctl-a");
        await using var standby = await TestControllers.StartAsync(dir.StoreUrl, "ctl-b");
        await Eventually.TrueAsync(() => standby.KnownLeader?.Id == "ctl-a", TimeSpan.FromSeconds(10), "the standby seeing the leader");

        var created = await AdminCli.OkAsync("namespace", "create", "shop", "--controller", standby.Url.ToString(), "--json");
        Assert.Equal("shop", JsonSerializer.Deserialize<ChangeResult>(created.Output, TesseraJson.Options)!.Namespace.Name);
        using var client = leader.Client();
        Assert.Contains("shop", (await client.ListNamespacesAsync()).Select(n => n.Name));

        // The API itself still answers 503 naming the leader (a client that does not follow it sees why).
        using var plain = standby.Client();
        var refused = await Assert.ThrowsAsync<Tessera.Controller.Api.ControllerApiException>(() => plain.CreateNamespaceAsync("other"));
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains(leader.Url.ToString().TrimEnd('/'), refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_controller_is_named_with_how_to_start_one()
    {
        var url = $"http://127.0.0.1:{FreePort.Find().ToString(CultureInfo.InvariantCulture)}";
        var result = await AdminCli.RunAsync("status", "--controller", url);
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"cannot reach the controller at {url}", result.Error, StringComparison.Ordinal);
        Assert.Contains("tessera controller --store", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("status")]
    [InlineData("namespace", "create")]
    [InlineData("group", "add")]
    [InlineData("group", "remove-server")]
    [InlineData("slots", "assign")]
    [InlineData("proxies")]
    public async Task Help_teaches_with_an_example(params string[] verb)
    {
        var result = await AdminCli.RunAsync([.. verb, "--help"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Example", result.Output, StringComparison.Ordinal);
        Assert.Contains("tessera " + string.Join(' ', verb), result.Output, StringComparison.Ordinal);
        Assert.Contains("--controller", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_tessera_executable_uses_the_same_exit_codes()
    {
        var usage = await TesseraProcess.RunAsync(TimeSpan.FromSeconds(30), "slots", "assign", "default", "x-y", "1");
        Assert.True(usage.ExitCode == 2, usage.ToString());
        Assert.StartsWith("error: 'x-y' is not a slot range", usage.Error, StringComparison.Ordinal);

        var url = $"http://127.0.0.1:{FreePort.Find().ToString(CultureInfo.InvariantCulture)}";
        var unreachable = await TesseraProcess.RunAsync(TimeSpan.FromSeconds(30), "namespace", "list", "--controller", url);
        Assert.True(unreachable.ExitCode == 1, unreachable.ToString());
        Assert.Equal($"error: cannot reach the controller at {url}", unreachable.Error.Split(" (")[0]);
    }
}
