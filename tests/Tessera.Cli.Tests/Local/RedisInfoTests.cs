using Tessera.Resp.Servers;

namespace Tessera.Cli.Tests.Local;

/// <summary>INFO text as the local servers' helpers read it, through the one INFO parser (<see cref="ServerInfo"/>).</summary>
public sealed class RedisInfoTests
{
    [Fact]
    public void Parse_reads_fields_and_skips_section_headers()
    {
        const string info = "# Server\r\nredis_version:7.0.15\r\nprocess_id:4242\r\n\r\n# Replication\r\nrole:slave\r\nmaster_host:127.0.0.1\r\n";

        var fields = ServerInfo.Parse(info).Fields;

        Assert.Equal("7.0.15", fields["redis_version"]);
        Assert.Equal("4242", fields["process_id"]);
        Assert.Equal("slave", fields["role"]);
        Assert.Equal(4, fields.Count);
        Assert.Null(ServerInfo.Parse(info)["missing"]);
        Assert.Equal("127.0.0.1", ServerInfo.Parse(info)["master_host"]);
    }
}
