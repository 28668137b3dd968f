using System.Globalization;
using Tessera.Local.Servers;

namespace Tessera.Local.Tests.Servers;

public sealed class LeftoverServerTests : IDisposable
{
    private readonly TempDirectory _directory = new("tessera-leftover-test");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_server_still_running_in_its_directory_is_stopped()
    {
        var directory = Path.Combine(_directory.Path, "left");
        await using var server = await RedisServerProcess.StartAsync(new RedisServerOptions { Directory = directory });
        Assert.True(File.Exists(Path.Combine(directory, LeftoverServer.PidFileName)));

        var stopped = await LeftoverServer.StopAsync(directory);

        Assert.Equal(server.Pid, stopped);
        Assert.True(await ProcessProbe.WaitGoneAsync(server.Pid, TimeSpan.FromSeconds(5)));
        Assert.False(File.Exists(Path.Combine(directory, LeftoverServer.PidFileName)));
    }

    [Fact]
    public async Task A_pid_file_naming_another_program_touches_nothing()
    {
        var directory = Path.Combine(_directory.Path, "other");
        Directory.CreateDirectory(directory);
        var pidFile = Path.Combine(directory, LeftoverServer.PidFileName);
        await File.WriteAllTextAsync(pidFile, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));

        Assert.Null(await LeftoverServer.StopAsync(directory));

        Assert.True(ProcessProbe.IsAlive(Environment.ProcessId));
        Assert.False(File.Exists(pidFile));
    }

    [Fact]
    public async Task A_redis_server_of_another_directory_is_not_stopped()
    {
        await using var server = await RedisServerProcess.StartAsync(new RedisServerOptions { Directory = Path.Combine(_directory.Path, "real") });
        var decoy = Path.Combine(_directory.Path, "decoy");
        Directory.CreateDirectory(decoy);
        await File.WriteAllTextAsync(Path.Combine(decoy, LeftoverServer.PidFileName), server.Pid.ToString(CultureInfo.InvariantCulture));

        Assert.Null(await LeftoverServer.StopAsync(decoy));

        Assert.False(server.HasExited);
    }

    [Fact]
    public async Task No_pid_file_means_nothing_to_stop()
    {
        Assert.Null(await LeftoverServer.StopAsync(_directory.Path));
    }
}
