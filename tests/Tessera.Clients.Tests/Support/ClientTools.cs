using System.Text.Json;

namespace Tessera.Clients.Tests.Support;

/// <summary>
/// Finds the client programs the tests drive (a python3 that has the redis module, node with the npm packages
/// installed by <c>npm ci</c>, redis-cli) and runs their scripts against a proxy, failing with the script's
/// whole output when anything goes wrong.
/// </summary>
public static class ClientTools
{
    /// <summary>Bound on one script run: far above what a healthy run takes (about a second), so only a hang hits it.</summary>
    public static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan NpmTimeout = TimeSpan.FromMinutes(3);

    // Found once per test run; every test that needs them awaits the same task.
    private static readonly Lazy<Task<string>> PythonTask = new(FindPythonAsync);
    private static readonly Lazy<Task<string>> NodeModulesTask = new(InstallNodeModulesAsync);

    public static string NodeDirectory => Path.Combine(Repository.ClientsDirectory, "node");

    /// <summary>
    /// Runs tests/clients/python/smoke.py for <paramref name="areas"/> against the proxy on <paramref name="port"/>
    /// and asserts it passed.
    /// </summary>
    public static Task RunPythonAsync(int port, string prefix, params string[] areas) => RunPythonAsync(null, port, prefix, areas);

    /// <summary>Like <see cref="RunPythonAsync(int, string, string[])"/>, over <paramref name="tls"/> when given (else plain TCP); answers the run.</summary>
    public static async Task<ScriptRun> RunPythonAsync(ClientTls? tls, int port, string prefix, params string[] areas)
    {
        string python = await PythonTask.Value;
        string script = Path.Combine(Repository.ClientsDirectory, "python", "smoke.py");
        var run = await ScriptRun.StartAsync(python, ["-u", script, "--port", Port(port), "--prefix", prefix, .. ClientTls.Arguments(tls), .. areas], ScriptTimeout);
        AssertPassed(run, areas);
        return run;
    }

    /// <summary>Runs tests/clients/node/<paramref name="script"/> for <paramref name="areas"/> and asserts it passed.</summary>
    public static Task RunNodeAsync(string script, int port, string prefix, params string[] areas) => RunNodeAsync(null, script, port, prefix, areas);

    /// <summary>Like <see cref="RunNodeAsync(string, int, string, string[])"/>, over <paramref name="tls"/> when given (else plain TCP); answers the run.</summary>
    public static async Task<ScriptRun> RunNodeAsync(ClientTls? tls, string script, int port, string prefix, params string[] areas)
    {
        await NodeModulesTask.Value;
        var run = await ScriptRun.StartAsync("node", [Path.Combine(NodeDirectory, script), "--port", Port(port), "--prefix", prefix, .. ClientTls.Arguments(tls), .. areas], ScriptTimeout, NodeDirectory);
        AssertPassed(run, areas);
        return run;
    }

    /// <summary>
    /// Starts tests/clients/python/cluster.py (redis-py's RedisCluster) for <paramref name="areas"/> against the proxies on
    /// <paramref name="ports"/> (its seed nodes); the churn area runs for <paramref name="seconds"/>. Await the run, then <see cref="AssertPassed"/>.
    /// </summary>
    public static Task<ScriptRun> RunPythonClusterAsync(IEnumerable<int> ports, string prefix, double seconds, params string[] areas) =>
        RunPythonClusterAsync(null, ports, prefix, seconds, areas);

    /// <summary>Like <see cref="RunPythonClusterAsync(IEnumerable{int}, string, double, string[])"/>, over <paramref name="tls"/> when given.</summary>
    public static async Task<ScriptRun> RunPythonClusterAsync(ClientTls? tls, IEnumerable<int> ports, string prefix, double seconds, params string[] areas)
    {
        string python = await PythonTask.Value;
        string script = Path.Combine(Repository.ClientsDirectory, "python", "cluster.py");
        return await ScriptRun.StartAsync(python, ["-u", script, "--ports", string.Join(',', ports), "--prefix", prefix, "--seconds", Seconds(seconds), .. ClientTls.Arguments(tls), .. areas], ScriptTimeout);
    }

    /// <summary>Starts tests/clients/node/<paramref name="script"/> (a cluster client script) like <see cref="RunPythonClusterAsync(IEnumerable{int}, string, double, string[])"/>.</summary>
    public static Task<ScriptRun> RunNodeClusterAsync(string script, IEnumerable<int> ports, string prefix, double seconds, params string[] areas) =>
        RunNodeClusterAsync(null, script, ports, prefix, seconds, areas);

    /// <summary>Like <see cref="RunNodeClusterAsync(string, IEnumerable{int}, string, double, string[])"/>, over <paramref name="tls"/> when given.</summary>
    public static async Task<ScriptRun> RunNodeClusterAsync(ClientTls? tls, string script, IEnumerable<int> ports, string prefix, double seconds, params string[] areas)
    {
        await NodeModulesTask.Value;
        return await ScriptRun.StartAsync("node", [Path.Combine(NodeDirectory, script), "--ports", string.Join(',', ports), "--prefix", prefix, "--seconds", Seconds(seconds), .. ClientTls.Arguments(tls), .. areas], ScriptTimeout, NodeDirectory);
    }

    private static string Seconds(double seconds) => seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The "detail" object the script reported for <paramref name="area"/>.</summary>
    public static JsonElement Detail(ScriptRun run, string area)
    {
        using var summary = JsonDocument.Parse(run.Stdout);
        return summary.RootElement.GetProperty("results").EnumerateArray().Single(r => r.GetProperty("area").GetString() == area).GetProperty("detail").Clone();
    }

    /// <summary>Runs redis-cli with <paramref name="arguments"/> (and <paramref name="stdin"/>) and asserts it exited with 0.</summary>
    public static async Task<ScriptRun> RunRedisCliAsync(IEnumerable<string> arguments, string? stdin = null)
    {
        var run = await ScriptRun.StartAsync("redis-cli", arguments, ScriptTimeout, stdin: stdin);
        Assert.True(run.ExitCode == 0 && !run.TimedOut, $"redis-cli failed:\n{run}");
        return run;
    }

    private static string Port(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Exit code 0 and a JSON summary whose "ok" is true and which ran every asked area.</summary>
    public static void AssertPassed(ScriptRun run, string[] areas)
    {
        Assert.False(run.TimedOut, $"the client script hung:\n{run}");
        Assert.True(run.ExitCode == 0, $"the client script failed:\n{run}");
        try
        {
            using var summary = JsonDocument.Parse(run.Stdout);
            Assert.True(summary.RootElement.GetProperty("ok").GetBoolean(), $"the client script reported a failure:\n{run}");
            var ran = summary.RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("area").GetString()).ToArray();
            Assert.True(areas.All(ran.Contains), $"the client script did not run every area ({string.Join(", ", areas)}):\n{run}");
        }
        catch (JsonException ex)
        {
            Assert.Fail($"the client script's output is not its JSON summary ({ex.Message}):\n{run}");
        }
    }

    /// <summary>
    /// A python3 that can import redis: $TESSERA_PYTHON, then Debian's /usr/bin/python3 (where python3-redis
    /// installs), then python3 from PATH (which may be a pyenv without the module).
    /// </summary>
    private static async Task<string> FindPythonAsync()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("TESSERA_PYTHON") is { Length: > 0 } configured)
        {
            candidates.Add(configured);
        }

        candidates.AddRange(["/usr/bin/python3", "python3"]);
        var tried = new List<string>();
        foreach (var candidate in candidates)
        {
            var run = await ScriptRun.StartAsync(candidate, ["-c", "import redis; print(redis.__version__)"], TimeSpan.FromSeconds(30));
            if (run.ExitCode == 0)
            {
                return candidate;
            }

            tried.Add($"{candidate}: {run.Stderr.Trim().Split('\n').LastOrDefault()}");
        }

        throw new InvalidOperationException(
            "No python3 with the redis module was found (tried " + string.Join("; ", tried) + "). " +
            "Install Debian's python3-redis (`sudo apt-get install -y python3-redis`; ./tessera test does it), or set TESSERA_PYTHON to a python that has it.");
    }

    /// <summary>
    /// `npm ci` into tests/clients/node/node_modules when it is missing or older than package-lock.json,
    /// so the exact versions of the lock file are what the tests drive.
    /// </summary>
    private static async Task<string> InstallNodeModulesAsync()
    {
        string directory = NodeDirectory;
        string installed = Path.Combine(directory, "node_modules", ".package-lock.json");
        string lockFile = Path.Combine(directory, "package-lock.json");
        if (File.Exists(installed) && File.GetLastWriteTimeUtc(installed) >= File.GetLastWriteTimeUtc(lockFile))
        {
            return directory;
        }

        var run = await ScriptRun.StartAsync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], NpmTimeout, directory);
        if (run.ExitCode != 0 || run.TimedOut)
        {
            throw new InvalidOperationException(
                "`npm ci` in tests/clients/node failed; the node client tests need node (>= 18.19), npm and access to the npm registry. " +
                $"Install them with `sudo apt-get install -y nodejs npm` (./tessera test does it).\n{run}");
        }

        return directory;
    }
}
