using Tessera.Resp.Servers;

namespace Tessera.Resp.Tests.Servers;

public sealed class ServerInfoTests
{
    private const string Reply =
        "# Server\r\nredis_version:7.0.15\r\nrun_id:abc\r\nprocess_id:4242\r\n\r\n"
        + "# Replication\r\nrole:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:7001\r\nmaster_link_status:up\r\nslave_repl_offset:-5\r\nslave_priority:100\r\n";

    [Fact]
    public void Reads_fields_of_every_section_and_skips_headers_and_blank_lines()
    {
        ServerInfo info = ServerInfo.Parse(Reply);

        Assert.Equal(["Server", "Replication"], info.SectionNames);
        Assert.Equal(9, info.Fields.Count);
        Assert.Equal("7.0.15", info["redis_version"]);
        Assert.Equal("slave", info["role"]);
        Assert.Null(info["missing"]);
        Assert.Null(info["# Server"]);
    }

    [Fact]
    public void Sections_are_found_by_name_in_any_case()
    {
        ServerInfo info = ServerInfo.Parse(Reply);

        Assert.Equal(["redis_version", "run_id", "process_id"], info.Section("server").Keys);
        Assert.Equal("up", info.Section("REPLICATION")["master_link_status"]);
        Assert.Empty(info.Section("keyspace"));
    }

    [Fact]
    public void Numbers_and_the_master_address_are_read_typed()
    {
        ServerInfo info = ServerInfo.Parse(Reply);

        Assert.Equal(4242, info.Int32("process_id"));
        Assert.Equal(-5, info.Int64("slave_repl_offset"));
        Assert.Null(info.Int64("run_id"));
        Assert.Null(info.Int32("missing"));
        Assert.Equal(ServerAddress.Parse("127.0.0.1:7001"), info.MasterAddress);
    }

    [Fact]
    public void Plain_newlines_values_with_colons_and_ipv6_masters_are_read()
    {
        ServerInfo info = ServerInfo.Parse("role:slave\nmaster_host:::1\nmaster_port:7001\nexecutable:/usr/bin/redis-server\nrdb_changes_since_last_save:0");

        Assert.Empty(info.SectionNames);
        Assert.Equal("::1", info["master_host"]);
        Assert.Equal("[::1]:7001", info.MasterAddress?.ToString());
        Assert.Equal("0", info["rdb_changes_since_last_save"]);
    }

    [Fact]
    public void A_master_reports_no_master_address_and_a_repeated_field_keeps_its_last_value()
    {
        ServerInfo info = ServerInfo.Parse("# Replication\r\nrole:master\r\nconnected_slaves:1\r\nconnected_slaves:2\r\n");

        Assert.Null(info.MasterAddress);
        Assert.Equal(2, info.Int32("connected_slaves"));
        Assert.Empty(ServerInfo.Parse("").Fields);
    }
}
