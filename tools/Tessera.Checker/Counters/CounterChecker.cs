using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Tessera.Resp.Client;
using Tessera.Resp.Values;

namespace Tessera.Checker.Counters;

/// <summary>
/// Proves that a Tessera deployment loses no acknowledged write and serves no stale read while its topology
/// changes (architecture §4): writers INCR random counters through every given proxy in turn and remember the highest
/// value each counter was acknowledged with; readers GET random counters through every proxy in turn and check
/// that the value is at least what was acknowledged before the read was sent, and never below what the same
/// reader saw before. At the end every counter is read once more and must hold at least its highest
/// acknowledged value, and no more than the INCRs ever sent to it.
/// </summary>
/// <remarks>
/// A counter's value only grows, and INCR answers with the value it produced, so "acknowledged ≤ value read
/// later" is exactly linearizable single-key behaviour for this workload: a lost write, a write applied on a
/// stale copy, or a read served by a group that no longer owns the key all break it.
/// </remarks>
public sealed class CounterChecker
{
    private const int MaxSamples = 20;

    private readonly CheckerOptions _options;
    private readonly long[] _acked;
    private readonly long[] _sent;
    private readonly LatencyHistogram _writes = new();
    private readonly List<string> _samples = [];
    private long _acknowledged;
    private long _reads;
    private long _stale;
    private long _errors;

    public CounterChecker(CheckerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _acked = new long[options.Keys];
        _sent = new long[options.Keys];
    }

    /// <summary>INCRs acknowledged so far (for progress while it runs).</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    /// <summary>Errors so far.</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Runs for <see cref="CheckerOptions.Duration"/> or until <paramref name="stop"/>, then checks every counter.</summary>
    public async Task<CheckerSummary> RunAsync(CancellationToken stop = default)
    {
        await BaselineAsync(stop).ConfigureAwait(false);
        using var run = CancellationTokenSource.CreateLinkedTokenSource(stop);
        if (_options.Duration is { } duration)
        {
            run.CancelAfter(duration);
        }

        var started = Stopwatch.GetTimestamp();
        var workers = new List<Task>();
        for (var i = 0; i < _options.Writers; i++)
        {
            var seed = i;
            workers.Add(Task.Run(() => WriteLoopAsync(seed, run.Token), CancellationToken.None));
        }

        for (var i = 0; i < _options.Readers; i++)
        {
            var seed = 1000 + i;
            workers.Add(Task.Run(() => ReadLoopAsync(seed, run.Token), CancellationToken.None));
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var (lost, excess) = await VerifyAsync().ConfigureAwait(false);
        lock (_samples)
        {
            return new CheckerSummary
            {
                Acknowledged = Acknowledged,
                Reads = Interlocked.Read(ref _reads),
                Lost = lost,
                Stale = Interlocked.Read(ref _stale),
                Excess = excess,
                Errors = Errors,
                Keys = _options.Keys,
                Seconds = Math.Round(seconds, 2),
                WritesPerSecond = Math.Round(Acknowledged / Math.Max(0.001, seconds), 1),
                WriteP50Ms = Math.Round(_writes.Percentile(0.50).TotalMilliseconds, 3),
                WriteP99Ms = Math.Round(_writes.Percentile(0.99).TotalMilliseconds, 3),
                WriteMaxMs = Math.Round(_writes.Max.TotalMilliseconds, 3),
                Samples = [.. _samples],
            };
        }
    }

    private string Key(int index) => string.Create(CultureInfo.InvariantCulture, $"{_options.Prefix}:{index}");

    /// <summary>Every counter's starting value (or 0 after a reset): the floor for reads and the base of the final check.</summary>
    private async Task BaselineAsync(CancellationToken stop)
    {
        var client = await ConnectAsync(_options.Endpoints[0], stop).ConfigureAwait(false);
        await using (client.ConfigureAwait(false))
        {
            const int Chunk = 200;
            for (var start = 0; start < _options.Keys; start += Chunk)
            {
                var end = Math.Min(_options.Keys, start + Chunk);
                var args = new List<object> { _options.Reset ? "MSET" : "MGET" };
                for (var i = start; i < end; i++)
                {
                    args.Add(Key(i));
                    if (_options.Reset)
                    {
                        args.Add("0");
                    }
                }

                var reply = await client.CallAsync([.. args]).ConfigureAwait(false);
                if (reply.IsError)
                {
                    throw new InvalidOperationException($"{args[0]} of the counters through {_options.Endpoints[0]} failed: {reply.AsString()}");
                }

                for (var i = start; i < end; i++)
                {
                    _acked[i] = _sent[i] = _options.Reset ? 0 : ValueOf(reply.Items![i - start]);
                }
            }
        }
    }

    private async Task WriteLoopAsync(int seed, CancellationToken stop)
    {
        var random = new Random(seed);
        var connections = new RespClient?[_options.Endpoints.Count];
        try
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var endpoint = (n + seed) % connections.Length;
                var key = random.Next(_options.Keys);
                try
                {
                    var client = connections[endpoint] ??= await ConnectAsync(_options.Endpoints[endpoint], stop).ConfigureAwait(false);
                    Interlocked.Increment(ref _sent[key]);
                    var began = Stopwatch.GetTimestamp();
                    var reply = await client.CallAsync("INCR", Key(key)).ConfigureAwait(false);
                    if (reply.Kind != RespKind.Integer)
                    {
                        Error($"INCR {Key(key)} via {_options.Endpoints[endpoint]}: {reply}");
                        continue;
                    }

                    _writes.Record(Stopwatch.GetElapsedTime(began));
                    RaiseTo(ref _acked[key], reply.Integer);
                    Interlocked.Increment(ref _acknowledged);
                }
                catch (Exception e) when (IsConnectionProblem(e) && !stop.IsCancellationRequested)
                {
                    Error($"INCR {Key(key)} via {_options.Endpoints[endpoint]}: {e.Message}");
                    connections[endpoint]?.Dispose();
                    connections[endpoint] = null;
                    await Pause(stop).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run is over.
        }
        finally
        {
            foreach (var connection in connections)
            {
                connection?.Dispose();
            }
        }
    }

    private async Task ReadLoopAsync(int seed, CancellationToken stop)
    {
        var random = new Random(seed);
        var seen = new long[_options.Keys];
        var connections = new RespClient?[_options.Endpoints.Count];
        try
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var endpoint = (n + seed) % connections.Length;
                var key = random.Next(_options.Keys);
                try
                {
                    var client = connections[endpoint] ??= await ConnectAsync(_options.Endpoints[endpoint], stop).ConfigureAwait(false);
                    var floor = Math.Max(Interlocked.Read(ref _acked[key]), seen[key]);
                    var reply = await client.CallAsync("GET", Key(key)).ConfigureAwait(false);
                    if (reply.IsError)
                    {
                        Error($"GET {Key(key)} via {_options.Endpoints[endpoint]}: {reply.AsString()}");
                        continue;
                    }

                    var value = ValueOf(reply);
                    Interlocked.Increment(ref _reads);
                    if (value < floor)
                    {
                        Interlocked.Increment(ref _stale);
                        Sample($"stale read: GET {Key(key)} via {_options.Endpoints[endpoint]} answered {value}, but {floor} was already acknowledged or seen");
                    }

                    seen[key] = Math.Max(seen[key], value);
                }
                catch (Exception e) when (IsConnectionProblem(e) && !stop.IsCancellationRequested)
                {
                    Error($"GET {Key(key)} via {_options.Endpoints[endpoint]}: {e.Message}");
                    connections[endpoint]?.Dispose();
                    connections[endpoint] = null;
                    await Pause(stop).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run is over.
        }
        finally
        {
            foreach (var connection in connections)
            {
                connection?.Dispose();
            }
        }
    }

    /// <summary>Reads every counter once more (retrying errors a few times): lost ones are below their acknowledged value.</summary>
    private async Task<(long Lost, long Excess)> VerifyAsync()
    {
        long lost = 0, excess = 0;
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var client = await ConnectAsync(_options.Endpoints[0], bound.Token).ConfigureAwait(false);
        try
        {
            for (var key = 0; key < _options.Keys; key++)
            {
                RespValue? reply = null;
                for (var attempt = 0; attempt < 20; attempt++)
                {
                    try
                    {
                        reply = await client.CallAsync("GET", Key(key)).ConfigureAwait(false);
                        if (!reply.IsError)
                        {
                            break;
                        }
                    }
                    catch (Exception e) when (IsConnectionProblem(e))
                    {
                        client.Dispose();
                        client = await ConnectAsync(_options.Endpoints[0], bound.Token).ConfigureAwait(false);
                    }

                    await Task.Delay(100, bound.Token).ConfigureAwait(false);
                }

                if (reply is null || reply.IsError)
                {
                    throw new InvalidOperationException($"the final GET {Key(key)} kept failing ({reply}); cannot tell whether writes were lost");
                }

                var value = ValueOf(reply);
                if (value < _acked[key])
                {
                    lost++;
                    Sample($"lost: {Key(key)} is {value} at the end, but INCR answered {_acked[key]}");
                }

                if (value > _sent[key])
                {
                    excess++;
                    Sample($"excess: {Key(key)} is {value} at the end, but only {_sent[key]} INCRs were ever sent (counting its start value)");
                }
            }
        }
        finally
        {
            client.Dispose();
        }

        return (lost, excess);
    }

    private async Task<RespClient> ConnectAsync(string endpoint, CancellationToken stop)
    {
        var client = await RespClient.ConnectAsync(endpoint, _options.RequestTimeout, stop).ConfigureAwait(false);
        if (_options.Password is { Length: > 0 } password)
        {
            var reply = await client.CallAsync(["AUTH", .. password.Split(' ', 2)]).ConfigureAwait(false);
            if (reply.IsError)
            {
                client.Dispose();
                throw new InvalidOperationException($"AUTH on {endpoint} failed: {reply.AsString()}");
            }
        }

        return client;
    }

    private static long ValueOf(RespValue reply) =>
        reply.IsNull ? 0 : long.TryParse(reply.AsString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidOperationException($"a counter holds {reply}, not a number; use a --prefix that nothing else writes");

    private static void RaiseTo(ref long slot, long value)
    {
        long seen;
        while (value > (seen = Interlocked.Read(ref slot)) && Interlocked.CompareExchange(ref slot, value, seen) != seen)
        {
            // Raced with another writer's acknowledgement: compare again.
        }
    }

    private void Error(string what)
    {
        Interlocked.Increment(ref _errors);
        Sample("error: " + what);
    }

    private void Sample(string what)
    {
        lock (_samples)
        {
            if (_samples.Count < MaxSamples)
            {
                _samples.Add(what);
            }
        }
    }

    private static Task Pause(CancellationToken stop) => Task.Delay(50, stop);

    private static bool IsConnectionProblem(Exception e) => e is IOException or TimeoutException or SocketException or InvalidDataException;
}
