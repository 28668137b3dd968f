using System.Net;
using System.Net.Sockets;
using Tessera.Cli.Tests.Support;
using Tessera.Local.Networking;
using Tessera.Local.Servers;
using Tessera.Resp.Servers;

namespace Tessera.Cli.Tests.Local;

public sealed class RedisServerProcessTests : IDisposable
{
    private readonly TempDirectory _directory = new("tessera-redis-test");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Starts_on_a_free_port_answers_and_reports_our_pid()
    {
        await using var server = await RedisServerProcess.StartAsync(Options("one"));

        Assert.Equal($"127.0.0.1:{server.Port}", server.Endpoint);
        Assert.Equal(Path.Combine(_directory.Path, "one", "redis.log"), server.LogPath);
        Assert.True(File.Exists(server.LogPath));
        await using var client = await server.ConnectAsync();
        Assert.Equal("PONG", (await client.CallAsync("PING")).AsString());
        var info = (await client.CallAsync("INFO", "server")).AsString()!;
        Assert.Equal(server.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), ServerInfo.Parse(info)["process_id"]);
        Assert.Equal("127.0.0.1", (await client.CallAsync("CONFIG", "GET", "bind")).Items![1].AsString());
        Assert.Equal("", (await client.CallAsync("CONFIG", "GET", "save")).Items![1].AsString());
    }

    [Fact]
    public async Task Stop_ends_the_process_and_frees_the_port()
    {
        var server = await RedisServerProcess.StartAsync(Options("stop"));
        var pid = server.Pid;

        server.Stop();

        Assert.True(server.HasExited);
        Assert.False(ProcessProbe.IsAlive(pid));
        Assert.True(await FreePort.WaitUntilFreeAsync(server.Port, TimeSpan.FromSeconds(5)));
        server.Stop(); // idempotent
        server.Dispose();
    }

    [Fact]
    public async Task Kill_ends_the_process_at_once()
    {
        await using var server = await RedisServerProcess.StartAsync(Options("kill"));

        server.Kill();

        Assert.True(server.HasExited);
        Assert.False(ProcessProbe.IsAlive(server.Pid));
        Assert.DoesNotContain("ready to exit", File.ReadAllText(server.LogPath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Extra_args_are_passed_to_redis_server()
    {
        await using var server = await RedisServerProcess.StartAsync(Options("extra") with { ExtraArgs = ["--maxmemory", "12mb"] });
        await using var client = await server.ConnectAsync();

        Assert.Equal("12582912", (await client.CallAsync("CONFIG", "GET", "maxmemory")).Items![1].AsString());
    }

    [Fact]
    public async Task A_port_in_use_is_refused_clearly()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var error = await Assert.ThrowsAsync<RedisServerException>(() => RedisServerProcess.StartAsync(Options("busy") with { Port = port }));

        Assert.Contains($"Port {port} on 127.0.0.1 is already in use", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_held_by_another_redis_is_refused()
    {
        await using var first = await RedisServerProcess.StartAsync(Options("first"));

        var error = await Assert.ThrowsAsync<RedisServerException>(() => RedisServerProcess.StartAsync(Options("second") with { Port = first.Port }));

        Assert.Contains("already in use", error.Message, StringComparison.Ordinal);
        await using var client = await first.ConnectAsync();
        Assert.Equal("PONG", (await client.CallAsync("PING")).AsString());
    }

    [Fact]
    public async Task A_server_that_fails_to_start_is_reported_with_its_output_and_log()
    {
        var error = await Assert.ThrowsAsync<RedisServerException>(() =>
            RedisServerProcess.StartAsync(Options("bad") with { ExtraArgs = ["--no-such-option", "1"] }));

        Assert.Contains("exited with code", error.Message, StringComparison.Ordinal);
        Assert.Contains("no-such-option", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_directory.Path, "bad", "redis.log"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_executable_says_how_to_install_redis()
    {
        var error = await Assert.ThrowsAsync<RedisServerException>(() =>
            RedisServerProcess.StartAsync(Options("missing") with { Executable = "/nonexistent/redis-server" }));

        Assert.Contains("sudo apt-get install redis-server", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_start_that_times_out_leaves_nothing_running()
    {
        // A server that is still loading answers PING with -LOADING; a far too short timeout must fail and kill it.
        var options = Options("slow") with { StartTimeout = TimeSpan.FromMilliseconds(1) };

        var error = await Assert.ThrowsAsync<RedisServerException>(() => RedisServerProcess.StartAsync(options));

        Assert.Contains("did not answer PING within", error.Message, StringComparison.Ordinal);
        var pid = int.Parse(System.Text.RegularExpressions.Regex.Match(error.Message, @"\(pid (\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(await ProcessProbe.WaitGoneAsync(pid, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void Installer_check_finds_redis_server_on_path()
    {
        var result = RedisInstaller.Check();

        Assert.True(result.IsAvailable, result.Message);
        Assert.EndsWith("redis-server", result.Path, StringComparison.Ordinal);
        Assert.False(RedisInstaller.Check("no-such-redis-binary").IsAvailable);
        Assert.Equal(RedisInstaller.NotFoundMessage, RedisInstaller.Check("no-such-redis-binary").Message);
    }

    private RedisServerOptions Options(string name) => new() { Directory = Path.Combine(_directory.Path, name) };
}
