using System.Text.Json;
using Tessera.Controller.Migration;
using Tessera.Controller.Rebalance;
using Tessera.Model.Api;

namespace Tessera.Cli.Tests.Verbs.Admin;

/// <summary><c>tessera slots migrate|migration|rebalance</c> in-process against a real controller and redis-servers.</summary>
public sealed class MigrationCliTests
{
    [Fact]
    public async Task Migrate_rebalance_and_migration_verbs_print_progress_plans_and_json()
    {
        await using var cluster = await MigrationCluster.StartAsync(groups: 2);
        await cluster.FillAsync(1, "k", 2000);
        var url = cluster.Controller.Url.ToString();

        var dryRun = await AdminCli.OkAsync("slots", "rebalance", "default", "--dry-run", "--controller", url);
        Assert.Contains("MOVE SLOTS", dryRun.Output, StringComparison.Ordinal);
        Assert.Contains("512-1023", dryRun.Output, StringComparison.Ordinal);
        Assert.True(dryRun.Output.Contains("512 slot(s) move (dry run: nothing was started)", StringComparison.Ordinal), dryRun.Output);

        var migrate = await AdminCli.OkAsync("slots", "migrate", "default", "0-99", "2", "--wait", "--keys-per-second", "100000", "--controller", url);
        Assert.Contains("m000001 done, slots 0-99 (100) from group 1 to group 2", migrate.Output, StringComparison.Ordinal);

        var list = await AdminCli.OkAsync("slots", "migration", "list", "default", "--controller", url);
        Assert.Contains("m000001", list.Output, StringComparison.Ordinal);
        Assert.Contains("done", list.Output, StringComparison.Ordinal);

        var shown = JsonSerializer.Deserialize<SlotMigration>((await AdminCli.OkAsync("slots", "migration", "show", "default", "m000001", "--json", "--controller", url)).Output, TesseraJson.Options)!;
        Assert.Equal((MigrationState.Done, 100000L, 100), (shown.State, shown.Settings.KeysPerSecond, shown.Slots.Count));
        Assert.Equal(shown.KeysMoved, (await cluster.KeysAsync(2)).Count);
        var detail = await AdminCli.OkAsync("slots", "migration", "show", "default", "m000001", "--slots", "--controller", url);
        Assert.Contains("SLOT  SOURCE  MOVED  LEFT", detail.Output, StringComparison.Ordinal);

        var rebalanced = JsonSerializer.Deserialize<RebalanceResult>((await AdminCli.OkAsync("slots", "rebalance", "default", "--wait", "--json", "--controller", url)).Output, TesseraJson.Options)!;
        Assert.Equal(412, rebalanced.Plan.SlotsMoved);
        Assert.All(rebalanced.Migrations, m => Assert.Equal(MigrationState.Done, m.State));
        var view = await cluster.Client.GetSlotsAsync(MigrationCluster.Ns);
        Assert.Equal([(1, 512), (2, 512)], view.Groups.Select(g => (g.Group, g.Slots)));

        var status = await AdminCli.OkAsync("status", "--controller", url);
        Assert.Contains("Migrations: 0 unfinished, 2 finished", status.Output, StringComparison.Ordinal);

        var nothing = await AdminCli.RunAsync("slots", "migration", "pause", "default", "--controller", url);
        Assert.Equal(1, nothing.ExitCode);
        Assert.Contains("has no unfinished migration to pause", nothing.Error, StringComparison.Ordinal);
        Assert.Equal(2, (await AdminCli.RunAsync("slots", "migrate", "default", "0-99", "--controller", url)).ExitCode);
        var badWeight = await AdminCli.RunAsync("slots", "rebalance", "default", "--weight", "x=1", "--controller", url);
        Assert.Equal(2, badWeight.ExitCode);
        Assert.Contains("is not GROUP=WEIGHT", badWeight.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_json_carries_the_unfinished_migrations_with_their_progress()
    {
        await using var cluster = await MigrationCluster.StartAsync(groups: 2);
        await cluster.FillAsync(1, "k", 2000);
        var url = cluster.Controller.Url.ToString();
        await AdminCli.OkAsync("slots", "migrate", "default", "0-1023", "2", "--keys-per-second", "100", "--controller", url);
        await cluster.WaitUntilAsync("m000001", m => m.KeysMoved > 0, TimeSpan.FromSeconds(30), "the first keys moving");

        using var status = JsonDocument.Parse((await AdminCli.OkAsync("status", "--json", "--controller", url)).Output);
        Assert.True(status.RootElement.GetProperty("controller").GetProperty("isLeader").GetBoolean());
        var migration = Assert.Single(status.RootElement.GetProperty("migrations").EnumerateArray());
        Assert.Equal("m000001", migration.GetProperty("id").GetString());
        Assert.Equal("moving", migration.GetProperty("phase").GetString());
        Assert.True(migration.GetProperty("keysMoved").GetInt64() > 0);

        await AdminCli.OkAsync("slots", "migration", "cancel", "default", "m000001", "--controller", url);
        await cluster.WaitAsync("m000001", TimeSpan.FromSeconds(45));
        using var after = JsonDocument.Parse((await AdminCli.OkAsync("status", "--json", "--controller", url)).Output);
        Assert.Empty(after.RootElement.GetProperty("migrations").EnumerateArray());
    }
}
