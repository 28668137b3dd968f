using System.Diagnostics;
using System.Globalization;

namespace Tessera.Local.Etcd;

/// <summary>One etcd process of an <see cref="EtcdCluster"/>.</summary>
public sealed class EtcdMember
{
    private readonly object _logGate = new();
    private Process? _process;
    private StreamWriter? _log;

    public EtcdMember(string name, int clientPort, int peerPort, string directory)
    {
        Name = name;
        ClientPort = clientPort;
        PeerPort = peerPort;
        Directory = directory;
    }

    public string Name { get; }

    public int ClientPort { get; }

    public int PeerPort { get; }

    public string Directory { get; }

    public string LogPath => Path.Combine(Directory, "etcd.log");

    public int Pid { get; private set; }

    public bool HasExited => _process is null || _process.HasExited;

    public Uri ClientUrl => new($"{(Tls is null ? "http" : "https")}://127.0.0.1:{ClientPort}/");

    /// <summary>The certificate and key clients see (TLS on the client port), or null for plain HTTP.</summary>
    public EtcdTls? Tls { get; internal set; }

    /// <summary>Flags added to the member's command line after Tessera's own.</summary>
    public IReadOnlyList<string> ExtraArguments { get; internal set; } = [];

    /// <summary>Starts this member again on its existing data (after <see cref="Kill"/>), e.g. to test recovery.</summary>
    public void Restart()
    {
        if (_startArgs is not { } args)
        {
            throw new InvalidOperationException($"etcd member {Name} was never started.");
        }

        Kill();
        Start(args.Executable, args.InitialCluster, args.Token);
    }

    private (string Executable, string InitialCluster, string Token)? _startArgs;

    internal void Start(string executable, string initialCluster, string token)
    {
        _startArgs = (executable, initialCluster, token);
        System.IO.Directory.CreateDirectory(Directory);
        _log = new StreamWriter(LogPath, append: false) { AutoFlush = true };
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string client = $"{(Tls is null ? "http" : "https")}://127.0.0.1:{ClientPort.ToString(CultureInfo.InvariantCulture)}";
        string peer = $"http://127.0.0.1:{PeerPort.ToString(CultureInfo.InvariantCulture)}";
        string[] args =
        [
            "--name", Name, "--data-dir", Path.Combine(Directory, "data"),
            "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", initialCluster, "--initial-cluster-token", token, "--initial-cluster-state", "new",

            // Fast heartbeats make elections after a kill (and the minimum lease TTL) short: tests stay quick.
            "--heartbeat-interval", "50", "--election-timeout", "500",
            .. (Tls is { } tls ? (string[])["--cert-file", tls.CertFile, "--key-file", tls.KeyFile] : []),
            .. ExtraArguments,
        ];
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        Pid = _process.Id;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Kills this member by the PID we started (never by name) and waits for it to go.</summary>
    public void Kill()
    {
        if (_process is not null)
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill();
                    _process.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            _process.Dispose();
            _process = null;
        }

        lock (_logGate)
        {
            _log?.Dispose();
            _log = null;
        }
    }

    public string LogTail(int lines = 30)
    {
        try
        {
            lock (_logGate)
            {
                _log?.Flush();
            }

            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            string[] all = reader.ReadToEnd().Split('\n');
            return string.Join("\n", all.TakeLast(lines));
        }
        catch (IOException e)
        {
            return $"(no log: {e.Message})";
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_logGate)
        {
            _log?.WriteLine(line);
        }
    }
}
