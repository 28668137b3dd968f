using System.Globalization;
using Tessera.Local.Networking;
using Tessera.Local.Servers;
using Tessera.Model.Topology;
using Tessera.Resp.Keys;
using Tessera.Resp.Servers;

namespace Tessera.Local.Clusters;

/// <summary>
/// A whole cluster on this machine: N groups of one master and R replicas, each a <see cref="RedisServerProcess"/>
/// under one directory, with replication up (unless <see cref="LocalClusterOptions.Replicate"/> is false) and a
/// <see cref="TopologyConfig"/> describing it
/// (namespace <see cref="LocalClusterOptions.Namespace"/>, groups 1..N, the 1024 slots split evenly into
/// contiguous ranges). Disposing stops every server it started. Used by <c>tessera up</c>, tests and benchmarks.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable, IDisposable
{
    private LocalCluster(string directory, IReadOnlyList<LocalGroup> groups, TopologyConfig topology, IReadOnlyList<int> leftoversStopped)
    {
        Directory = directory;
        Groups = groups;
        Topology = topology;
        LeftoversStopped = leftoversStopped;
        var servers = new List<RedisServerProcess>();
        foreach (var group in groups)
        {
            servers.Add(group.Master);
            servers.AddRange(group.Replicas);
        }

        Servers = servers;
    }

    /// <summary>The cluster's directory (absolute).</summary>
    public string Directory { get; }

    /// <summary>Groups in id order (1..N).</summary>
    public IReadOnlyList<LocalGroup> Groups { get; }

    /// <summary>Every server: group 1's master, its replicas, group 2's master, ...</summary>
    public IReadOnlyList<RedisServerProcess> Servers { get; }

    /// <summary>The topology a proxy needs to serve this cluster (epoch 1).</summary>
    public TopologyConfig Topology { get; }

    /// <summary>
    /// PIDs of redis-servers that an earlier run left running in these server directories (it died without
    /// stopping them) and that were stopped before starting; usually empty.
    /// </summary>
    public IReadOnlyList<int> LeftoversStopped { get; }

    /// <summary>
    /// Starts every server (in parallel), points replicas at their masters and waits, bounded, until each
    /// replica reports <c>master_link_status:up</c> (both skipped when <see cref="LocalClusterOptions.Replicate"/>
    /// is false). On any failure or cancellation everything already started is stopped before the exception
    /// propagates.
    /// </summary>
    public static async Task<LocalCluster> StartAsync(LocalClusterOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        var directory = Path.GetFullPath(options.Directory);
        System.IO.Directory.CreateDirectory(directory);

        var perGroup = 1 + options.Replicas;
        var total = options.Groups * perGroup;

        // Index i: group i / perGroup + 1; role master when i % perGroup == 0, else replica (i % perGroup).
        var serverDirectories = new string[total];
        for (var i = 0; i < total; i++)
        {
            var group = (i / perGroup) + 1;
            var replica = i % perGroup;
            var name = replica == 0
                ? string.Create(CultureInfo.InvariantCulture, $"group{group}-master")
                : string.Create(CultureInfo.InvariantCulture, $"group{group}-replica{replica}");
            serverDirectories[i] = Path.Combine(directory, name);
        }

        // Before checking ports: a server left behind by a killed earlier run may hold one of them.
        var leftovers = await StopLeftoversAsync(directory, cancellationToken).ConfigureAwait(false);
        if (options.BasePort != 0)
        {
            CheckPortsFree(options.BasePort, total);
        }

        var starts = new Task<RedisServerProcess>[total];
        for (var i = 0; i < total; i++)
        {
            starts[i] = RedisServerProcess.StartAsync(
                new RedisServerOptions
                {
                    Directory = serverDirectories[i],
                    Port = options.BasePort == 0 ? 0 : options.BasePort + i,
                    ExtraArgs = options.ServerArgs,
                    Executable = options.Executable,
                    StartTimeout = options.ServerStartTimeout,
                    StopTimeout = options.ServerStopTimeout,
                },
                cancellationToken);
        }

        var servers = await WhenAllOrCleanUpAsync(starts).ConfigureAwait(false);
        try
        {
            var groups = BuildGroups(servers, options.Groups, perGroup);
            var replication = new List<Task>();
            foreach (var group in options.Replicate ? groups : [])
            {
                foreach (var replica in group.Replicas)
                {
                    replication.Add(ReplicateAsync(replica, group.Master, options.ReplicationTimeout, cancellationToken));
                }
            }

            await Task.WhenAll(replication).ConfigureAwait(false);
            return new LocalCluster(directory, groups, BuildTopology(options.Namespace, groups), leftovers);
        }
        catch
        {
            await DisposeAllAsync(servers).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The 1024 slots split into <paramref name="groups"/> contiguous ranges of near-equal size, owned by
    /// groups 1..N in order (the first ranges are one slot larger when 1024 does not divide evenly).
    /// </summary>
    public static IReadOnlyList<SlotRangeConfig> SplitSlots(int groups)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(groups, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(groups, KeySlot.Count);
        var ranges = new SlotRangeConfig[groups];
        var from = 0;
        for (var g = 0; g < groups; g++)
        {
            var size = (KeySlot.Count / groups) + (g < KeySlot.Count % groups ? 1 : 0);
            ranges[g] = new SlotRangeConfig { From = from, To = from + size - 1, Group = g + 1 };
            from += size;
        }

        return ranges;
    }

    /// <summary>Stops every server in parallel (each bounded: SIGTERM, then SIGKILL). Safe to call twice.</summary>
    public Task StopAsync() => StopAllAsync(Servers);

    public void Dispose()
    {
        // Parallel stop, bounded per server; blocking here is fine (dispose path, not a request path).
        StopAsync().GetAwaiter().GetResult();
        foreach (var server in Servers)
        {
            server.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        foreach (var server in Servers)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static void Validate(LocalClusterOptions options)
    {
        if (options.Groups is < 1 or > KeySlot.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Groups, $"Groups must be 1..{KeySlot.Count}.");
        }

        if (options.Replicas is < 0 or > 16)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Replicas, "Replicas must be 0..16.");
        }

        var total = options.Groups * (1 + options.Replicas);
        if (options.BasePort != 0 && (options.BasePort < FreePort.MinPort || options.BasePort + total - 1 > 65535))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BasePort,
                $"BasePort must be 0 (free ports) or leave room for {total} ports between {FreePort.MinPort} and 65535.");
        }

        if (string.IsNullOrWhiteSpace(options.Namespace))
        {
            throw new ArgumentException("Namespace must not be empty.", nameof(options));
        }
    }

    /// <summary>Stops servers left running in any server directory under <paramref name="directory"/> (also groups beyond this run's count).</summary>
    private static async Task<IReadOnlyList<int>> StopLeftoversAsync(string directory, CancellationToken cancellationToken)
    {
        var stopped = new List<int>();
        foreach (var serverDirectory in System.IO.Directory.GetDirectories(directory, "group*"))
        {
            if (await LeftoverServer.StopAsync(serverDirectory, cancellationToken).ConfigureAwait(false) is { } pid)
            {
                stopped.Add(pid);
            }
        }

        return stopped;
    }

    private static void CheckPortsFree(int basePort, int count)
    {
        var busy = new List<int>();
        for (var port = basePort; port < basePort + count; port++)
        {
            if (!FreePort.IsFree(port))
            {
                busy.Add(port);
            }
        }

        if (busy.Count > 0)
        {
            throw new RedisServerException(string.Create(CultureInfo.InvariantCulture,
                $"The cluster needs ports {basePort}..{basePort + count - 1} on 127.0.0.1, but {string.Join(", ", busy)} {(busy.Count == 1 ? "is" : "are")} in use: choose another base port, or 0 for free ports."));
        }
    }

    /// <summary>Awaits every start; if any failed, stops the ones that came up and rethrows the failures together.</summary>
    private static async Task<RedisServerProcess[]> WhenAllOrCleanUpAsync(Task<RedisServerProcess>[] starts)
    {
        try
        {
            return await Task.WhenAll(starts).ConfigureAwait(false);
        }
        catch
        {
            var started = new List<RedisServerProcess>();
            var errors = new List<Exception>();
            foreach (var start in starts)
            {
                if (start.IsCompletedSuccessfully)
                {
                    started.Add(start.Result);
                }
                else if (start.Exception is { } e)
                {
                    errors.AddRange(e.InnerExceptions);
                }
            }

            await DisposeAllAsync(started).ConfigureAwait(false);
            if (errors.Count == 0)
            {
                throw;
            }

            if (errors.Count == 1)
            {
                throw errors[0] is RedisServerException ? errors[0] : new RedisServerException(errors[0].Message, errors[0]);
            }

            throw new RedisServerException(
                $"{errors.Count} of {starts.Length} redis-servers failed to start:\n" + string.Join("\n\n", errors.Select(e => e.Message)),
                new AggregateException(errors));
        }
    }

    private static LocalGroup[] BuildGroups(RedisServerProcess[] servers, int groupCount, int perGroup)
    {
        var slots = SplitSlots(groupCount);
        var groups = new LocalGroup[groupCount];
        for (var g = 0; g < groupCount; g++)
        {
            var master = servers[g * perGroup];
            var replicas = servers[((g * perGroup) + 1)..((g + 1) * perGroup)];
            groups[g] = new LocalGroup(g + 1, master, replicas, slots[g].From, slots[g].To);
        }

        return groups;
    }

    private static TopologyConfig BuildTopology(string namespaceName, IReadOnlyList<LocalGroup> groups)
    {
        var groupConfigs = new GroupConfig[groups.Count];
        var slotConfigs = new SlotRangeConfig[groups.Count];
        for (var i = 0; i < groups.Count; i++)
        {
            var group = groups[i];
            var replicas = new string[group.Replicas.Count];
            for (var r = 0; r < replicas.Length; r++)
            {
                replicas[r] = group.Replicas[r].Endpoint;
            }

            groupConfigs[i] = new GroupConfig { Id = group.Id, Master = group.Master.Endpoint, Replicas = replicas };
            slotConfigs[i] = new SlotRangeConfig { From = group.SlotFrom, To = group.SlotTo, Group = group.Id };
        }

        return new TopologyConfig
        {
            Epoch = 1,
            Namespaces = [new NamespaceConfig { Name = namespaceName, Groups = groupConfigs, Slots = slotConfigs }],
        };
    }

    /// <summary>
    /// Runs REPLICAOF on the replica and waits, bounded, until both sides agree the link is up: the replica reports
    /// <c>master_link_status:up</c> and the master lists it <c>state=online</c>.
    /// </summary>
    /// <remarks>
    /// The replica says "up" as soon as it loaded the snapshot; with diskless sync (Redis 7's default) the master
    /// counts it online only once its first REPLCONF ACK arrived, a moment later. WAIT counts online replicas only,
    /// so a cluster handed out between the two answers WAIT with one replica too few.
    /// </remarks>
    private static async Task ReplicateAsync(RedisServerProcess replica, RedisServerProcess master, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        var client = await replica.ConnectAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (client.ConfigureAwait(false))
        {
            var reply = await client.CallAsync("REPLICAOF", "127.0.0.1", master.Port).ConfigureAwait(false);
            if (reply.IsError)
            {
                throw new RedisServerException($"REPLICAOF 127.0.0.1 {master.Port} on {replica} failed: {reply.AsString()}.\nLast lines of {replica.LogPath}:\n{replica.ReadLogTail()}");
            }

            string? status = null;
            while (DateTime.UtcNow < deadline)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var info = (await client.CallAsync("INFO", "replication").ConfigureAwait(false)).AsString() ?? "";
                status = ServerInfo.Parse(info)["master_link_status"];
                if (status == "up" && await IsOnlineOnMasterAsync(master, replica, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }

            throw new RedisServerException(string.Create(CultureInfo.InvariantCulture,
                $"{replica} did not reach master_link_status:up with master {master} within {timeout.TotalSeconds:0.#} s (last status: {status ?? "none"}).\nLast lines of {replica.LogPath}:\n{replica.ReadLogTail()}\nLast lines of {master.LogPath}:\n{master.ReadLogTail()}"));
        }
    }

    /// <summary>Whether <paramref name="master"/>'s INFO replication lists <paramref name="replica"/> with <c>state=online</c>.</summary>
    private static async Task<bool> IsOnlineOnMasterAsync(RedisServerProcess master, RedisServerProcess replica, CancellationToken cancellationToken)
    {
        var client = await master.ConnectAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (client.ConfigureAwait(false))
        {
            string info = (await client.CallAsync("INFO", "replication").ConfigureAwait(false)).AsString() ?? "";
            string port = "port=" + replica.Port.ToString(CultureInfo.InvariantCulture);

            // slave0:ip=127.0.0.1,port=6380,state=online,offset=...,lag=0
            foreach (var (field, value) in ServerInfo.Parse(info).Fields)
            {
                string[] parts = value.Split(',');
                if (field.StartsWith("slave", StringComparison.Ordinal) && parts.Contains(port))
                {
                    return parts.Contains("state=online");
                }
            }

            return false;
        }
    }

    private static async Task DisposeAllAsync(IEnumerable<RedisServerProcess> servers)
    {
        var disposals = new List<Task>();
        foreach (var server in servers)
        {
            disposals.Add(server.DisposeAsync().AsTask());
        }

        await Task.WhenAll(disposals).ConfigureAwait(false);
    }

    private static async Task StopAllAsync(IEnumerable<RedisServerProcess> servers)
    {
        var stops = new List<Task>();
        foreach (var server in servers)
        {
            stops.Add(server.StopAsync());
        }

        await Task.WhenAll(stops).ConfigureAwait(false);
    }
}
