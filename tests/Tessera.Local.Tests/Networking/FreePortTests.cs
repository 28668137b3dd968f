using System.Net;
using System.Net.Sockets;
using Tessera.Local.Networking;

namespace Tessera.Local.Tests.Networking;

public sealed class FreePortTests
{
    [Fact]
    public void A_found_port_is_free_and_a_listening_port_is_not()
    {
        var port = FreePort.Find();
        Assert.True(FreePort.IsFree(port));

        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();

        Assert.False(FreePort.IsFree(port));
        listener.Stop();
        Assert.True(FreePort.IsFree(port));
    }

    [Fact]
    public void A_port_held_on_all_interfaces_is_not_free_on_loopback()
    {
        using var listener = new TcpListener(IPAddress.Any, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        Assert.False(FreePort.IsFree(port));
    }

    [Fact]
    public void FindMany_returns_distinct_ports()
    {
        var ports = FreePort.FindMany(20);

        Assert.Equal(20, ports.Distinct().Count());
        Assert.All(ports, port => Assert.InRange(port, 1, 65535));
    }

    [Fact]
    public void Ports_come_from_below_the_ephemeral_range_so_outgoing_connections_cannot_take_them()
    {
        var (low, high) = FreePort.ServerRange();
        var ephemeralLow = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split('\t', ' ')[0], System.Globalization.CultureInfo.InvariantCulture);

        Assert.True(high < ephemeralLow, $"range {low}-{high} overlaps the ephemeral range from {ephemeralLow}");
        Assert.All(FreePort.FindMany(50), port => Assert.InRange(port, low, high));
    }

    [Fact]
    public async Task WaitUntilFree_returns_false_when_the_port_stays_busy()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        Assert.False(await FreePort.WaitUntilFreeAsync(port, TimeSpan.FromMilliseconds(200)));
    }
}
