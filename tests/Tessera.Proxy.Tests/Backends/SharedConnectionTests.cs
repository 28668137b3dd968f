using System.Globalization;
using System.Net.Sockets;
using Tessera.Proxy.Net;
using Tessera.Proxy.Hosting;
using Tessera.Proxy.Tests.Support;

namespace Tessera.Proxy.Tests.Backends;

/// <summary>
/// The shared backend connections under many clients at once: completions on the socket event thread,
/// writes held while replies are due and sent with the next reply pass, and sockets moving between the
/// event thread and the thread pool as batches grow and shrink. Every reply must still reach its client.
/// </summary>
public sealed class SharedConnectionTests : IClassFixture<ProxyCluster>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    private readonly ProxyCluster _cluster;

    public SharedConnectionTests(ProxyCluster cluster) => _cluster = cluster;

    [Fact]
    public void Runtime_offers_the_per_socket_inline_switch()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // Without it the proxy still works, but every completion costs a thread switch again: a runtime
        // update that drops the internal property must be noticed here, not in a benchmark.
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Assert.True(SocketInlining.TrySet(socket, true));
        Assert.True(SocketInlining.TrySet(socket, false));
    }

    [Fact]
    public async Task Many_unpipelined_clients_each_get_their_own_replies()
    {
        const int Clients = 40, Rounds = 150;
        var work = new Task[Clients];
        for (int c = 0; c < Clients; c++)
        {
            int client = c;
            work[c] = Task.Run(async () =>
            {
                await using var connection = await _cluster.ConnectAsync();
                for (int round = 0; round < Rounds; round++)
                {
                    string key = string.Create(CultureInfo.InvariantCulture, $"shared:{client}:{round % 7}");
                    string value = string.Create(CultureInfo.InvariantCulture, $"{client}-{round}");
                    Reply.Ok(await connection.CallAsync("SET", key, value));
                    Reply.Text(value, await connection.CallAsync("GET", key));
                }
            });
        }

        await Task.WhenAll(work).WaitAsync(Bound);
    }

    [Fact]
    public async Task Pipelined_and_unpipelined_clients_mixed_keep_every_reply_in_order()
    {
        // Batches of 200 commands push the backend passes past the inline limit (and back), while
        // one-at-a-time clients keep writes held behind replies that are due.
        const int Batch = 200, Batches = 10, Singles = 10;
        var pipelined = Task.Run(async () =>
        {
            await using var connection = await RawConnection.ConnectAsync(_cluster.Port);
            for (int b = 0; b < Batches; b++)
            {
                var bytes = new List<byte>();
                for (int i = 0; i < Batch; i++)
                {
                    bytes.AddRange(RawConnection.Command("ECHO", string.Create(CultureInfo.InvariantCulture, $"{b}:{i}")));
                    bytes.AddRange(RawConnection.Command("INCR", string.Create(CultureInfo.InvariantCulture, $"mixed:counter:{i % 13}")));
                }

                await connection.SendAsync(bytes.ToArray());
                for (int i = 0; i < Batch; i++)
                {
                    Reply.Text(string.Create(CultureInfo.InvariantCulture, $"{b}:{i}"), (await connection.ReadAsync())!);
                    var counter = (await connection.ReadAsync())!;
                    Assert.False(counter.IsError, $"INCR failed: {counter}");
                }
            }
        });
        var singles = new Task[Singles];
        for (int s = 0; s < Singles; s++)
        {
            int client = s;
            singles[s] = Task.Run(async () =>
            {
                await using var connection = await _cluster.ConnectAsync();
                for (int round = 0; round < 200; round++)
                {
                    string key = string.Create(CultureInfo.InvariantCulture, $"mixed:single:{client}");
                    Reply.Integer(round + 1, await connection.CallAsync("INCR", key));
                }
            });
        }

        await Task.WhenAll([pipelined, .. singles]).WaitAsync(Bound);
    }
}
