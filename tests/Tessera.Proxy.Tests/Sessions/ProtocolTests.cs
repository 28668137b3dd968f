using System.Text;
using Tessera.Proxy.Tests.Support;

namespace Tessera.Proxy.Tests.Sessions;

/// <summary>Inline commands, malformed input and fuzzing: a bad client only ever hurts itself.</summary>
public sealed class ProtocolTests : IClassFixture<ProxyCluster>
{
    private readonly ProxyCluster _cluster;

    public ProtocolTests(ProxyCluster cluster) => _cluster = cluster;

    [Fact]
    public async Task Inline_commands_work_like_telnet()
    {
        await using var c = await RawConnection.ConnectAsync(_cluster.Port);
        await c.SendAsync("PING\r\nSET inline:k \"hello world\"\r\nGET inline:k\nMGET inline:k other\r\n");
        Reply.Text("PONG", (await c.ReadAsync())!);
        Reply.Ok((await c.ReadAsync())!);
        Reply.Text("hello world", (await c.ReadAsync())!);
        Assert.Equal(["hello world", "(nil)"], Reply.Strings((await c.ReadAsync())!));
    }

    [Theory]
    [InlineData("*1\r\n$4\r\nPINGx\r\n", "ERR Protocol error")]
    [InlineData("*2\r\n$3\r\nGET\r\n:1\r\n", "ERR Protocol error: expected '$'")]
    [InlineData("*1\r\n$999999999999\r\n", "ERR Protocol error")]
    [InlineData("*99999999999\r\n", "ERR Protocol error")]
    [InlineData("SET \"unbalanced\r\n", "ERR Protocol error: unbalanced quotes")]
    public async Task Malformed_input_answers_a_protocol_error_and_closes_only_that_connection(string input, string expected)
    {
        await using var bystander = await _cluster.ConnectAsync();
        Reply.Ok(await bystander.CallAsync("SET", "bystander", "1"));

        await using var bad = await RawConnection.ConnectAsync(_cluster.Port);
        await bad.SendAsync("PING\r\n" + input);
        Reply.Text("PONG", (await bad.ReadAsync())!);
        Reply.Error(expected, (await bad.ReadAsync())!);
        Assert.Null(await bad.ReadAsync(TimeSpan.FromSeconds(10)));

        Reply.Text("1", await bystander.CallAsync("GET", "bystander"));
    }

    [Fact]
    public async Task Fuzzed_frames_never_hurt_other_clients()
    {
        await using var bystander = await _cluster.ConnectAsync();
        var random = new Random(20261122);
        string[] seeds =
        [
            "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n",
            "*2\r\n$4\r\nMGET\r\n$1\r\na\r\n",
            "*1\r\n$4\r\nPING\r\n",
            "PING\r\n",
            "*2\r\n$4\r\nECHO\r\n$-1\r\n",
        ];
        for (int round = 0; round < 150; round++)
        {
            byte[] bytes = Encoding.ASCII.GetBytes(seeds[random.Next(seeds.Length)]);
            switch (random.Next(4))
            {
                case 0: // flip bytes
                    for (int i = 0; i < 3; i++)
                    {
                        bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                    }

                    break;
                case 1: // truncate
                    bytes = bytes[..random.Next(bytes.Length)];
                    break;
                case 2: // pure noise
                    bytes = new byte[random.Next(1, 200)];
                    random.NextBytes(bytes);
                    break;
                default: // huge declared lengths
                    bytes = Encoding.ASCII.GetBytes(random.Next(2) == 0 ? "*1\r\n$2147483647\r\nab" : "*2147483647\r\n");
                    break;
            }

            await using var fuzz = await RawConnection.ConnectAsync(_cluster.Port);
            await fuzz.SendAsync(bytes);

            // Whatever it answers, it must be RESP; then either more input is awaited or the connection closes.
            try
            {
                await fuzz.ReadAsync(TimeSpan.FromMilliseconds(50));
            }
            catch (OperationCanceledException)
            {
                // Waiting for the rest of a truncated frame: fine.
            }

            if (round % 10 == 0)
            {
                Reply.Text("PONG", await bystander.CallAsync("PING"));
            }
        }

        Reply.Ok(await bystander.CallAsync("SET", "after-fuzz", "ok"));
        Reply.Text("ok", await bystander.CallAsync("GET", "after-fuzz"));
    }

    [Fact]
    public async Task A_bulk_over_the_limit_is_refused_before_it_arrives()
    {
        await using var c = await RawConnection.ConnectAsync(_cluster.Port);
        await c.SendAsync("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$600000000\r\n");
        Reply.Error("ERR Protocol error", (await c.ReadAsync())!);
        Assert.Null(await c.ReadAsync(TimeSpan.FromSeconds(10)));
    }
}
