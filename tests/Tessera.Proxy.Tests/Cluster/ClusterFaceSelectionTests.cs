using Tessera.Proxy.Cluster;

namespace Tessera.Proxy.Tests.Cluster;

/// <summary>Which table and which port the cluster face gives a connection: by its namespace's read mode (zone) and its transport (TLS).</summary>
public sealed class ClusterFaceSelectionTests
{
    private static ClusterMember Member(int i, string? zone, int? tlsPort = null) =>
        ClusterMember.From($"127.0.0.1:{19000 + i}-z{i:000}", $"127.0.0.1:{19000 + i}", i)! with { Zone = zone, TlsPort = tlsPort };

    private static int[] Ports(ClusterTable table) => [.. table.Nodes.Select(static n => n.Port).Order()];

    [Fact]
    public void A_zone_scoped_connection_gets_the_table_over_its_zones_proxies_the_others_all()
    {
        var face = new ClusterFace(enabled: true, zone: "az1");
        face.SetSelf("127.0.0.1:19000-z000", "127.0.0.1:19000");
        face.SetMembers([Member(0, "az1"), Member(1, "az2"), Member(2, "az1"), Member(3, "az2"), Member(4, null)]);

        Assert.Equal([19000, 19002], Ports(face.TableFor(zoneScoped: true, fenced: false)));
        Assert.Equal([19000, 19001, 19002, 19003, 19004], Ports(face.TableFor(zoneScoped: false, fenced: false)));

        // The zone's other proxy computes the same zone table for the same listing.
        var other = new ClusterFace(enabled: true, zone: "az1");
        other.SetSelf("127.0.0.1:19002-z002", "127.0.0.1:19002");
        other.SetMembers([Member(0, "az1"), Member(1, "az2"), Member(2, "az1"), Member(3, "az2"), Member(4, null)]);
        Assert.Equal(face.TableFor(true, false).Ranges, other.TableFor(true, false).Ranges);

        // Fenced: the zone's table without itself; alone in its zone, itself.
        Assert.Equal([19002], Ports(face.TableFor(zoneScoped: true, fenced: true)));
        var lonely = new ClusterFace(enabled: true, zone: "az3");
        lonely.SetSelf("127.0.0.1:19009-z009", "127.0.0.1:19009");
        lonely.SetMembers([Member(0, "az1"), Member(9, "az3")]);
        Assert.Equal([19009], Ports(lonely.TableFor(zoneScoped: true, fenced: false)));
        Assert.Equal([19009], Ports(lonely.TableFor(zoneScoped: true, fenced: true)));
    }

    [Fact]
    public void Without_a_zone_every_connection_gets_the_whole_table()
    {
        var face = new ClusterFace(enabled: true);
        face.SetSelf("127.0.0.1:19000-z000", "127.0.0.1:19000");
        face.SetMembers([Member(0, null), Member(1, "az2")]);
        Assert.Same(face.Table, face.TableFor(zoneScoped: true, fenced: false));
    }

    [Fact]
    public void A_tls_connection_is_given_the_tls_port_where_a_proxy_has_one()
    {
        Assert.Equal(19443, Member(0, null, 19443).PortFor(tls: true));
        Assert.Equal(19000, Member(0, null, 19443).PortFor(tls: false));
        Assert.Equal(19001, Member(1, null).PortFor(tls: true));

        // This proxy's own TLS port survives the store's listing (which carries it as registered).
        var face = new ClusterFace(enabled: true);
        face.SetSelf("127.0.0.1:19000-z000", "127.0.0.1:19000", 19443);
        face.SetMembers([Member(0, null, 19443), Member(1, null, 19444)]);
        Assert.Equal([19443, 19444], face.TableFor(false, false, tls: true).Nodes.Select(static n => n.PortFor(tls: true)).Order());
    }

    [Fact]
    public void A_connection_is_given_only_the_proxies_that_serve_its_transport()
    {
        var face = new ClusterFace(enabled: true);
        face.SetSelf("127.0.0.1:19000-z000", "127.0.0.1:19000", 19443);
        face.SetMembers([Member(0, null, 19443), Member(1, null), Member(2, null, 19002) with { TlsOnly = true }]);

        // Plain: the proxies with a plain listener; TLS: those with a TLS one, at its port.
        Assert.Equal([19000, 19001], Ports(face.TableFor(false, false, tls: false)));
        Assert.Equal([19002, 19443], face.TableFor(false, false, tls: true).Nodes.Select(static n => n.PortFor(tls: true)).Order());

        // Where every proxy has both, the two transports' tables divide the slots alike.
        face.SetMembers([Member(0, null, 19443), Member(1, null, 19444)]);
        Assert.Equal(face.TableFor(false, false, tls: false).Ranges, face.TableFor(false, false, tls: true).Ranges);
    }
}
