using Tessera.Cli.Verbs.Admin;

namespace Tessera.Cli.Tests.Verbs.Admin;

/// <summary>Where the admin verbs take their token from: --token first, then TESSERA_TOKEN, then a token file.</summary>
public sealed class TokenSourceTests
{
    [Fact]
    public void An_explicit_token_wins_and_token_files_are_read_by_their_first_line()
    {
        using var dir = new TempDirectory();
        var file = dir.Sub("ci.token");
        File.WriteAllText(file, "  tsr_from_file \nsecond line\n");

        Assert.Equal("tsr_given", TokenSource.Find("  tsr_given ", file));
        Assert.Equal("tsr_from_file", TokenSource.Read(file));
        Assert.Null(TokenSource.Read(dir.Sub("missing.token")));
        File.WriteAllText(dir.Sub("empty.token"), "\n");
        Assert.Null(TokenSource.Read(dir.Sub("empty.token")));

        // A file asked for by name must be there (unless TESSERA_TOKEN, which comes first, is set where the tests run).
        if (Environment.GetEnvironmentVariable(AdminOptions.TokenVariable) is { Length: > 0 } fromEnvironment)
        {
            Assert.Equal(fromEnvironment.Trim(), TokenSource.Find(null, dir.Sub("missing.token")));
        }
        else
        {
            Assert.Equal("tsr_from_file", TokenSource.Find(null, file));
            var refused = Assert.Throws<TokenFileException>(() => TokenSource.Find(null, dir.Sub("missing.token")));
            Assert.Contains("does not exist", refused.Message, StringComparison.Ordinal);
        }
    }
}
