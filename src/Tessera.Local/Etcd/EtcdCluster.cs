using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

using Tessera.Local.Networking;

namespace Tessera.Local.Etcd;

/// <summary>
/// Real etcd members on free loopback ports, each with its own data directory and log file under one
/// temp folder. Started members are confirmed to be ours (member names are unique to this cluster);
/// members are stopped by the PID we started and the folder is deleted on dispose.
/// </summary>
public sealed class EtcdCluster : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly string _root;
    private readonly List<EtcdMember> _members;

    private EtcdCluster(string root, List<EtcdMember> members)
    {
        _root = root;
        _members = members;
    }

    public IReadOnlyList<EtcdMember> Members => _members;

    /// <summary>The store URL listing every member, in order.</summary>
    public string Url => _members[0].Tls is { } tls
        ? "etcds://" + string.Join(",", _members.Select(m => $"127.0.0.1:{m.ClientPort}")) + "?ca=" + tls.CaFile
        : "etcd://" + string.Join(",", _members.Select(m => $"127.0.0.1:{m.ClientPort}"));

    /// <param name="size">Members (1 or 3, usually).</param>
    /// <param name="tls">Serve clients over TLS with this certificate (peers stay on plain HTTP, on loopback).</param>
    /// <param name="extraArguments">More etcd flags for every member (e.g. "--auth-token-ttl", "1" to test token expiry).</param>
    public static async Task<EtcdCluster> StartAsync(int size, EtcdTls? tls = null, IReadOnlyList<string>? extraArguments = null)
    {
        string executable = FindEtcd();
        string token = "tessera-" + Guid.NewGuid().ToString("N")[..12];
        for (int attempt = 1; ; attempt++)
        {
            string root = Directory.CreateTempSubdirectory("tessera-etcd-").FullName;
            var ports = FreePort.FindMany(size * 2);
            var members = Enumerable.Range(0, size)
                .Select(i => new EtcdMember($"{token}-n{i + 1}", ports[i * 2], ports[(i * 2) + 1], Path.Combine(root, $"n{i + 1}")))
                .ToList();
            var cluster = new EtcdCluster(root, members);
            string initialCluster = string.Join(",", members.Select(m => $"{m.Name}=http://127.0.0.1:{m.PeerPort}"));
            foreach (EtcdMember member in members)
            {
                member.Tls = tls;
                member.ExtraArguments = extraArguments ?? [];
                member.Start(executable, initialCluster, token);
            }

            string? problem = await cluster.WaitHealthyAsync();
            if (problem is null)
            {
                return cluster;
            }

            string logs = cluster.Logs();
            await cluster.DisposeAsync();
            if (attempt == 3)
            {
                throw new InvalidOperationException($"etcd did not start after {attempt} attempts: {problem}\n{logs}");
            }
        }
    }

    /// <summary>Every member's recent log lines, for failure messages.</summary>
    public string Logs() => string.Join("\n", _members.Select(m => $"--- {m.Name} (pid {m.Pid}) ---\n{m.LogTail()}"));

    public async ValueTask DisposeAsync()
    {
        foreach (EtcdMember member in _members)
        {
            member.Kill();
        }

        for (int attempt = 0; attempt < 5 && Directory.Exists(_root); attempt++)
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
                await Task.Delay(200);
            }
        }
    }

    private static string FindEtcd()
    {
        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(folder, "etcd");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("etcd is not installed (no `etcd` on PATH), so etcd cannot be started. Install it with `apt-get install etcd-server`.");
    }

    /// <summary>Null once every member reports healthy and the member list is exactly ours; otherwise what was wrong.</summary>
    private async Task<string?> WaitHealthyAsync()
    {
        // The health probe only asks whether our own members are up: it does not judge their certificates (the store does).
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        string last = "no answer yet";
        while (clock.Elapsed < StartTimeout)
        {
            EtcdMember? dead = _members.FirstOrDefault(m => m.HasExited);
            if (dead is not null)
            {
                return $"{dead.Name} exited (port taken?)";
            }

            try
            {
                bool healthy = true;
                foreach (EtcdMember member in _members)
                {
                    string health = await http.GetStringAsync(new Uri(member.ClientUrl, "/health"));
                    healthy &= health.Contains("\"health\":\"true\"", StringComparison.Ordinal);
                    last = $"{member.Name}: {health}";
                }

                if (healthy)
                {
                    // Confirm the members answering are the ones we started, not strangers on our ports.
                    using var content = new StringContent("{}", Encoding.UTF8, "application/json");
                    using HttpResponseMessage list = await http.PostAsync(new Uri(_members[0].ClientUrl, "/v3/cluster/member/list"), content);
                    using JsonDocument members = JsonDocument.Parse(await list.Content.ReadAsStringAsync());
                    var names = members.RootElement.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("name").GetString()).Order().ToArray();
                    return names.SequenceEqual(_members.Select(m => m.Name).Order()) ? null : $"unexpected members {string.Join(",", names)}";
                }
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException)
            {
                last = "health check timed out";
            }

            await Task.Delay(100);
        }

        return $"not healthy within {StartTimeout.TotalSeconds} s (last: {last})";
    }
}
