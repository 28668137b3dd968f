using System.Buffers;
using System.Globalization;
using System.Text;
using Tessera.Resp.Values;

namespace Tessera.Clients.Tests.Differential;

/// <summary>One reply a case received: which step (and, in a pipeline, which command) and its raw bytes.</summary>
public sealed record StepReply(int Step, int Client, string Label, string[] Command, Normalise Normalise, byte[] Bytes)
{
    /// <summary>The bytes to compare: the raw reply, or its shape when the step says so.</summary>
    public byte[] Comparable => Normalise switch
    {
        Normalise.Shape => Encoding.UTF8.GetBytes(Shape(Bytes)),
        Normalise.Unordered => Bytes.Length == 0 || Bytes[0] == (byte)'(' ? Bytes : Sorted(Bytes),
        _ => Bytes,
    };

    /// <summary>The reply with every aggregate's elements sorted by their bytes, at every depth (map entries as single elements).</summary>
    private static byte[] Sorted(byte[] bytes)
    {
        int at = 0;
        return Sorted(bytes, ref at);
    }

    private static byte[] Sorted(byte[] bytes, ref int at)
    {
        int start = at;
        if (bytes[at] is not ((byte)'*' or (byte)'~' or (byte)'%' or (byte)'>'))
        {
            RespValueReader.TryRead(new ReadOnlySequence<byte>(bytes, at, bytes.Length - at), out _, out long consumed);
            at += (int)consumed;
            return bytes[start..at];
        }

        int lineEnd = bytes.AsSpan(at).IndexOf("\r\n"u8) + at;
        int count = int.Parse(bytes.AsSpan(at + 1, lineEnd - at - 1), CultureInfo.InvariantCulture);
        at = lineEnd + 2;
        int perElement = bytes[start] == (byte)'%' ? 2 : 1;
        var elements = new List<byte[]>();
        for (int i = 0; i < count; i++)
        {
            var element = new List<byte>();
            for (int j = 0; j < perElement; j++)
            {
                element.AddRange(Sorted(bytes, ref at));
            }

            elements.Add([.. element]);
        }

        elements.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
        return [.. bytes[start..(lineEnd + 2)], .. elements.SelectMany(e => e)];
    }

    private static string Shape(byte[] bytes)
    {
        if (bytes.Length == 0 || bytes[0] == (byte)'(')
        {
            return Encoding.UTF8.GetString(bytes);
        }

        RespValueReader.TryRead(new ReadOnlySequence<byte>(bytes), out var value, out _);
        return Shape(value!);
    }

    private static string Shape(RespValue value) => value.Items is { } items
        ? $"{value.Kind}[{string.Join(',', items.Select(Shape))}]"
        : value.Kind.ToString();
}

/// <summary>Runs a case's steps on connections of its own to one endpoint and collects every reply's bytes.</summary>
public static class DiffRunner
{
    /// <summary>Bound on one reply; a blocked command that should have been woken shows as "(timeout)".</summary>
    public static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Bound on an <see cref="StepKind.UntilBlocked"/> step; past it the step fails the case with what it saw.</summary>
    public static readonly TimeSpan BlockTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Runs <paramref name="diffCase"/> on <paramref name="port"/>; <paramref name="serverPorts"/> are the redis-servers
    /// behind it (the port itself for a plain server, the masters for a proxy), asked by UntilBlocked steps.
    /// </summary>
    public static async Task<List<StepReply>> RunAsync(int port, IReadOnlyList<int> serverPorts, DiffCase diffCase)
    {
        var replies = new List<StepReply>();
        var clients = new Dictionary<int, RawConnection>();
        // Per client, the commands sent without waiting, whose replies later Read steps take (for the label).
        var pending = new Dictionary<int, Queue<string[]>>();
        try
        {
            for (int i = 0; i < diffCase.Steps.Count; i++)
            {
                var step = diffCase.Steps[i];
                if (step.Kind == StepKind.UntilBlocked)
                {
                    await UntilBlockedAsync(serverPorts, step.Blocked, diffCase, port);
                    continue;
                }

                if (!clients.TryGetValue(step.Client, out var client))
                {
                    client = await RawConnection.ConnectAsync(port);
                    clients[step.Client] = client;
                    pending[step.Client] = new Queue<string[]>();
                }

                switch (step.Kind)
                {
                    case StepKind.Call:
                        await client.SendAsync(RawConnection.Command(step.Command));
                        replies.Add(new StepReply(i, step.Client, step.ToString(), step.Command, step.Normalise, await client.ReadBytesAsync(ReplyTimeout)));
                        break;
                    case StepKind.Send:
                        await client.SendAsync(RawConnection.Command(step.Command));
                        pending[step.Client].Enqueue(step.Command);
                        break;
                    case StepKind.Read:
                        var command = pending[step.Client].TryDequeue(out var sent) ? sent : [];
                        replies.Add(new StepReply(i, step.Client, step.ToString(), command, step.Normalise, await client.ReadBytesAsync(ReplyTimeout)));
                        break;
                    case StepKind.Pipeline:
                        await client.SendAsync(step.Pipeline.SelectMany(RawConnection.Command).ToArray());
                        for (int j = 0; j < step.Pipeline.Count; j++)
                        {
                            replies.Add(new StepReply(i, step.Client, $"client {step.Client}: pipeline #{j} {Step.Text(step.Pipeline[j])}", step.Pipeline[j], step.Normalise, await client.ReadBytesAsync(ReplyTimeout)));
                        }

                        break;
                }
            }
        }
        finally
        {
            foreach (var client in clients.Values)
            {
                await client.DisposeAsync();
            }
        }

        return replies;
    }

    private static async Task UntilBlockedAsync(IReadOnlyList<int> serverPorts, int count, DiffCase diffCase, int port)
    {
        long seen = 0;
        for (var clock = System.Diagnostics.Stopwatch.StartNew(); clock.Elapsed < BlockTimeout; await Task.Delay(10))
        {
            seen = 0;
            foreach (int server in serverPorts)
            {
                await using var client = await Tessera.Resp.Client.RespClient.ConnectAsync("127.0.0.1", server, TimeSpan.FromSeconds(5));
                string info = (await client.CallAsync("INFO", "clients")).AsString() ?? "";
                seen += Tessera.Resp.Servers.ServerInfo.Parse(info).Int64("blocked_clients") ?? 0;
            }

            if (seen >= count)
            {
                return;
            }
        }

        Assert.Fail($"case '{diffCase.Name}' on port {port}: waited {BlockTimeout.TotalSeconds:0} s for {count} blocked client(s), the servers hold {seen}");
    }
}
