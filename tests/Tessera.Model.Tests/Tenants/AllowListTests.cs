using System.Net;
using Tessera.Model.Tenants;

namespace Tessera.Model.Tests.Tenants;

public sealed class AllowListTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.200.3.4", true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("192.168.1.7", "192.168.1.7", true)]
    [InlineData("192.168.1.7", "192.168.1.8", false)]
    [InlineData("2001:db8::/32", "2001:db8:1::5", true)]
    [InlineData("2001:db8::/32", "2001:db9::5", false)]
    [InlineData("::1", "::1", true)]
    [InlineData("127.0.0.0/8", "::ffff:127.0.0.1", true)]
    public void An_address_is_allowed_when_a_network_contains_it(string entry, string address, bool allowed)
    {
        var network = AllowList.Parse(entry, out var problem);
        Assert.Null(problem);
        Assert.Equal(allowed, AllowList.Allows([network!.Value], IPAddress.Parse(address)));
    }

    [Fact]
    public void An_empty_list_allows_every_address_and_a_list_refuses_an_unknown_one()
    {
        Assert.True(AllowList.Allows([], IPAddress.Parse("203.0.113.9")));
        Assert.True(AllowList.Allows([], null));
        Assert.False(AllowList.Allows([IPNetwork.Parse("10.0.0.0/8")], null));
    }

    [Theory]
    [InlineData("10.0.0.0/33", "is not an address or CIDR network")]
    [InlineData("10.1.2.3/8", "the address must be the network's first")]
    [InlineData("shop.example", "is not an address")]
    [InlineData("", "is not an address")]
    public void Malformed_entries_are_named(string entry, string message)
    {
        Assert.Null(AllowList.Parse(entry, out var problem));
        Assert.Contains(message, problem, StringComparison.Ordinal);
        Assert.Single(AllowList.Problems([entry, "10.0.0.0/8"]));
    }

    [Fact]
    public void Password_hashes_depend_on_the_salt_and_are_stable()
    {
        var salt = PasswordHash.NewSalt();
        Assert.Equal(PasswordHash.Compute(salt, "secret-1"u8), PasswordHash.Compute(salt, "secret-1"u8));
        Assert.NotEqual(PasswordHash.Compute(salt, "secret-1"u8), PasswordHash.Compute(PasswordHash.NewSalt(), "secret-1"u8));
        Assert.NotEqual(PasswordHash.Compute(salt, "secret-1"u8), PasswordHash.Compute(salt, "secret-2"u8));
        Assert.Equal(32, PasswordHash.Generate().Length);
    }
}
