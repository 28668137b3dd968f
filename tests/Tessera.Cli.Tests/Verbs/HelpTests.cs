
namespace Tessera.Cli.Tests.Verbs;

public sealed class HelpTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(new[] { "--help" }, new[] { "up", "proxy", "Examples:" })]
    [InlineData(new[] { "up", "--help" }, new[] { "--groups", "--replicas", "--port", "--dir", "--base-port", "[default: 19000]", "[default: ./.tessera]", "Examples:", "tessera up --groups 3" })]
    [InlineData(new[] { "token", "--help" }, new[] { "create", "list", "revoke", "viewer", "operator", "admin", "TESSERA_TOKEN", "--token-file", "Examples:" })]
    [InlineData(new[] { "status", "--help" }, new[] { "--token", "--token-file", "TESSERA_TOKEN", ".tessera/admin.token" })]
    [InlineData(new[] { "controller", "--help" }, new[] { "--admin-token-file", "admin.token", "bearer token" })]
    [InlineData(new[] { "proxy", "--help" }, new[] { "--config", "--listen", "[default: 127.0.0.1:19000]", "namespaces:", "slots:", "Examples:" })]
    public async Task Help_teaches_each_verb(string[] args, string[] expected)
    {
        using var cli = TesseraProcess.Start(args);

        Assert.True(await cli.WaitForExitAsync(Bound), "tessera --help did not exit");
        Assert.Equal(0, cli.ExitCode);
        foreach (var text in expected)
        {
            Assert.Contains(text, cli.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_bad_option_value_is_an_error_with_the_reason()
    {
        using var cli = TesseraProcess.Start("up", "--groups", "0");

        Assert.True(await cli.WaitForExitAsync(Bound));
        Assert.NotEqual(0, cli.ExitCode);
        Assert.Contains("--groups must be between 1 and 1024; got 0.", cli.Output, StringComparison.Ordinal);
    }
}
