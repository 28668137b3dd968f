namespace Tessera.Cli.Tests.Verbs.Admin;

/// <summary><c>tessera namespace set --backend-tls-*</c>: contradictions and unreadable files are usage errors, found before any call.</summary>
public sealed class NamespaceBackendTlsOptionsTests
{
    [Theory]
    [InlineData("--backend-tls-ca ca.pem --no-backend-tls", "--no-backend-tls removes backend TLS")]
    [InlineData("--backend-tls-cert c.pem --backend-tls-key k.pem", "need --backend-tls-ca")]
    [InlineData("--backend-tls-ca ca.pem --backend-tls-cert c.pem", "--backend-tls-cert and --backend-tls-key go together")]
    public async Task Contradictions_are_usage_errors_saying_what_to_give(string options, string expected)
    {
        var result = await AdminCli.RunAsync(["namespace", "set", "shop", .. options.Split(' '), "--controller", "http://127.0.0.1:9"]);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_file_is_a_usage_error_naming_it()
    {
        var missing = Path.Combine(Path.GetTempPath(), "tessera-no-such-ca-" + Guid.NewGuid().ToString("N") + ".pem");
        var result = await AdminCli.RunAsync("namespace", "set", "shop", "--backend-tls-ca", missing, "--controller", "http://127.0.0.1:9");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("cannot read a backend TLS file", result.Error, StringComparison.Ordinal);
        Assert.Contains(missing, result.Error, StringComparison.Ordinal);
    }
}
