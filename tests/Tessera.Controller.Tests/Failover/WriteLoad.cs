using System.Diagnostics;
using System.Text;
using Tessera.Resp.Client;
using Tessera.Resp.Keys;

namespace Tessera.Controller.Tests.Failover;

/// <summary>One SET through the proxy: when it was sent and answered (seconds on the test clock), and how.</summary>
internal readonly record struct WriteAttempt(double SentAt, double DoneAt, bool Ok, string? Error, string Key);

/// <summary>
/// A steady write load through the proxy: each worker sends <c>SET key key</c> with a new key every time (all keys
/// share one hash tag, so they land in one group), one at a time, and remembers every attempt. After a failed
/// attempt it pauses 5 ms, so an outage is sampled finely without spinning.
/// </summary>
internal sealed class WriteLoad
{
    private readonly List<WriteAttempt>[] _attempts;
    private readonly Task[] _workers;
    private readonly CancellationTokenSource _stop = new();

    private WriteLoad(int port, string tag, int workers, Stopwatch clock)
    {
        _attempts = [.. Enumerable.Range(0, workers).Select(static _ => new List<WriteAttempt>())];
        _workers = [.. Enumerable.Range(0, workers).Select(w => Task.Run(() => RunAsync(port, tag, w, clock, _attempts[w], _stop.Token)))];
    }

    public static WriteLoad Start(int port, string tag, int workers, Stopwatch clock) => new(port, tag, workers, clock);

    /// <summary>A hash tag whose keys fall in slots <paramref name="from"/>..<paramref name="to"/>.</summary>
    public static string TagFor(int from, int to)
    {
        for (var i = 0; ; i++)
        {
            var tag = $"t{i}";
            var slot = KeySlot.Of(Encoding.ASCII.GetBytes(tag));
            if (slot >= from && slot <= to)
            {
                return tag;
            }
        }
    }

    /// <summary>Stops the workers (bounded) and returns every attempt, ordered by send time.</summary>
    public async Task<IReadOnlyList<WriteAttempt>> StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers).WaitAsync(TimeSpan.FromSeconds(15));
        return [.. _attempts.SelectMany(static a => a).OrderBy(static a => a.SentAt)];
    }

    /// <summary>Writes acknowledged so far among those sent after <paramref name="after"/> (safe while running).</summary>
    public int AckedSoFar(double after)
    {
        var count = 0;
        foreach (var list in _attempts)
        {
            lock (list)
            {
                foreach (var attempt in list)
                {
                    count += attempt.Ok && attempt.SentAt > after ? 1 : 0;
                }
            }
        }

        return count;
    }

    private static async Task RunAsync(int port, string tag, int worker, Stopwatch clock, List<WriteAttempt> attempts, CancellationToken stop)
    {
        RespClient? client = null;
        var seq = 0L;
        while (!stop.IsCancellationRequested)
        {
            var key = $"{{{tag}}}:{worker}:{seq++}";
            var sent = clock.Elapsed.TotalSeconds;
            WriteAttempt attempt;
            try
            {
                client ??= await RespClient.ConnectAsync("127.0.0.1", port, TimeSpan.FromSeconds(8));
                var reply = await client.CallAsync("SET", key, key);
                attempt = new WriteAttempt(sent, clock.Elapsed.TotalSeconds, reply.IsOk, reply.IsOk ? null : reply.AsString(), key);
            }
            catch (Exception e) when (e is IOException or TimeoutException or System.Net.Sockets.SocketException)
            {
                client?.Dispose();
                client = null;
                attempt = new WriteAttempt(sent, clock.Elapsed.TotalSeconds, false, e.Message, key);
            }

            lock (attempts)
            {
                attempts.Add(attempt);
            }

            if (!attempt.Ok)
            {
                await Task.Delay(5, CancellationToken.None);
            }
        }

        client?.Dispose();
    }
}
