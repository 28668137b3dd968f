using System.Buffers;
using System.Text;
using Tessera.Model.Tenants;
using Tessera.Proxy.Migration;

namespace Tessera.Proxy.Tests.Migration;

public sealed class MigrateCommandTests
{
    [Fact]
    public void Without_credentials_MIGRATE_has_no_AUTH()
    {
        Assert.Equal("MIGRATE 10.0.0.2 7001 k 0 500 REPLACE", Written(null, "k"));
        Assert.Equal("MIGRATE 10.0.0.2 7001  0 500 REPLACE KEYS a b", Written(null, "a", "b"));
    }

    [Fact]
    public void The_namespaces_credentials_go_to_the_target_as_AUTH_or_AUTH2_before_KEYS()
    {
        Assert.Equal("MIGRATE 10.0.0.2 7001 k 0 500 REPLACE AUTH pw", Written(new BackendCredentials { Password = "pw" }, "k"));
        Assert.Equal("MIGRATE 10.0.0.2 7001  0 500 REPLACE AUTH2 tessera pw KEYS a b", Written(new BackendCredentials { User = "tessera", Password = "pw" }, "a", "b"));
    }

    /// <summary>The command's arguments joined by spaces, after checking the array header counts them.</summary>
    private static string Written(BackendCredentials? login, params string[] keys)
    {
        var writer = new ArrayBufferWriter<byte>();
        MigrateCommand.Write(writer, "10.0.0.2:7001", [.. keys.Select(static k => Encoding.UTF8.GetBytes(k))], TimeSpan.FromMilliseconds(500), login);
        var lines = Encoding.UTF8.GetString(writer.WrittenSpan).Split("\r\n", StringSplitOptions.None);
        var count = int.Parse(lines[0].AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
        var args = Enumerable.Range(0, count).Select(i => lines[2 + (2 * i)]).ToList();
        Assert.Equal(1 + (2 * count), lines.Length - 1);
        return string.Join(' ', args);
    }
}
