using System.Diagnostics;
using System.Globalization;
using Tessera.Local.Clusters;
using Tessera.Local.Networking;
using Tessera.Proxy.Topology;

namespace Tessera.Cli.Tests.Verbs;

/// <summary>
/// <c>tessera proxy --tls-cert --tls-key --tls-client-ca</c> as a real process, with the certificates the README's
/// openssl commands make (bench/tls-certs.sh) and redis-cli as the TLS client.
/// </summary>
public sealed class ProxyTlsVerbTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _directory = new("tessera-proxy-tls-verb-test");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Proxy_serves_redis_cli_over_mutual_TLS_with_certificates_made_by_openssl()
    {
        string certs = Path.Combine(_directory.Path, "certs");
        var made = await RunAsync("bash", Path.Combine(FolderGraph.RepositoryRoot(), "bench", "tls-certs.sh"), certs);
        Assert.True(made.ExitCode == 0, $"bench/tls-certs.sh failed:\n{made}");

        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Directory = Path.Combine(_directory.Path, "servers"), Groups = 2, Replicas = 0 });
        var file = Path.Combine(_directory.Path, "topology.yaml");
        TopologyFile.Save(cluster.Topology, file);
        int port = FreePort.Find();
        using var cli = TesseraProcess.Start("proxy", "--config", file, "--listen", $"127.0.0.1:{port}", "--tls-cert", Path.Combine(certs, "proxy.crt"),
            "--tls-key", Path.Combine(certs, "proxy.key"), "--tls-client-ca", Path.Combine(certs, "ca.crt"), "--log-level", "Warning");
        await cli.WaitForLineAsync("ready", Bound);
        Assert.Contains("--tls", cli.Output, StringComparison.Ordinal);

        string[] tls = ["--tls", "--cacert", Path.Combine(certs, "ca.crt"), "-p", port.ToString(CultureInfo.InvariantCulture)];
        string[] client = [.. tls, "--cert", Path.Combine(certs, "shop-app.crt"), "--key", Path.Combine(certs, "shop-app.key")];
        Assert.Equal("OK", (await RedisCliAsync([.. client, "SET", "{u1}.name", "alice"])).Output.Trim());
        Assert.Equal("alice", (await RedisCliAsync([.. client, "GET", "{u1}.name"])).Output.Trim());

        // Without a client certificate the handshake is refused; plain TCP gets no answer it can read.
        var refused = await RedisCliAsync([.. tls, "GET", "{u1}.name"]);
        Assert.DoesNotContain("alice", refused.Output, StringComparison.Ordinal);
        var plain = await RedisCliAsync(["-p", port.ToString(CultureInfo.InvariantCulture), "GET", "{u1}.name"]);
        Assert.DoesNotContain("alice", plain.Output, StringComparison.Ordinal);

        cli.Signal("TERM");
        Assert.True(await cli.WaitForExitAsync(Bound), $"tessera proxy did not exit on SIGTERM. Output:\n{cli.Output}");
        Assert.True(cli.ExitCode == 0, $"exit code {cli.ExitCode}. Output:\n{cli.Output}");
    }

    [Fact]
    public async Task Controller_serves_its_API_over_https_to_the_CLI_given_the_CA()
    {
        string certs = Path.Combine(_directory.Path, "certs");
        var made = await RunAsync("bash", Path.Combine(FolderGraph.RepositoryRoot(), "bench", "tls-certs.sh"), certs);
        Assert.True(made.ExitCode == 0, $"bench/tls-certs.sh failed:\n{made}");
        int port = FreePort.Find();
        string token = Path.Combine(_directory.Path, "admin.token");
        using var controller = TesseraProcess.Start("controller", "--store", new Uri(Path.Combine(_directory.Path, "store")).AbsoluteUri, "--listen", $"127.0.0.1:{port}",
            "--admin-token-file", token, "--tls-cert", Path.Combine(certs, "proxy.crt"), "--tls-key", Path.Combine(certs, "proxy.key"), "--log-level", "Warning");
        await controller.WaitForLineAsync("ready", Bound);
        Assert.Contains($"https://127.0.0.1:{port}", controller.Output, StringComparison.Ordinal);

        string url = $"https://127.0.0.1:{port}";
        var refused = await AdminCli.RunAsync("namespace", "list", "--controller", url, "--token-file", token);
        Assert.Contains("TLS handshake failed", refused.Error, StringComparison.Ordinal);
        await AdminCli.OkAsync("namespace", "create", "shop", "--controller", url, "--token-file", token, "--ca-cert", Path.Combine(certs, "ca.crt"));
        Assert.Contains("shop", (await AdminCli.OkAsync("namespace", "list", "--controller", url, "--token-file", token, "--ca-cert", Path.Combine(certs, "ca.crt"))).Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--tls-cert", "x.crt")]
    [InlineData("--tls-client-ca", "ca.crt")]
    public async Task Incomplete_TLS_options_are_a_usage_error(string option, string value)
    {
        using var cli = TesseraProcess.Start("proxy", "--config", Path.Combine(_directory.Path, "none.yaml"), option, Path.Combine(_directory.Path, value));
        Assert.True(await cli.WaitForExitAsync(Bound), "tessera proxy did not exit");
        Assert.Equal(2, cli.ExitCode);
        Assert.Contains("--tls-", cli.Output, StringComparison.Ordinal);
    }

    private static Task<CliResult> RedisCliAsync(string[] args) => RunAsync("redis-cli", args);

    private static async Task<CliResult> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(Bound);
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new CliResult(process.ExitCode, await output, await error);
    }
}
