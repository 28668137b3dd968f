using Tessera.Local.Servers;

namespace Tessera.Cli.Tests.Local;

public sealed class RedisInfoTests
{
    [Fact]
    public void Parse_reads_fields_and_skips_section_headers()
    {
        const string info = "# Server\r\nredis_version:7.0.15\r\nprocess_id:4242\r\n\r\n# Replication\r\nrole:slave\r\nmaster_host:127.0.0.1\r\n";

        var fields = RedisInfo.Parse(info);

        Assert.Equal("7.0.15", fields["redis_version"]);
        Assert.Equal("4242", fields["process_id"]);
        Assert.Equal("slave", fields["role"]);
        Assert.Equal(4, fields.Count);
        Assert.Null(RedisInfo.Field(info, "missing"));
        Assert.Equal("127.0.0.1", RedisInfo.Field(info, "master_host"));
    }
}
