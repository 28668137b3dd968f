using System.Diagnostics;

namespace Tessera.Local.Servers;

/// <summary>
/// Keeps the last lines a child process wrote to stdout/stderr. redis-server reports some errors
/// (bad arguments, unknown options) there before its log file is open.
/// </summary>
internal sealed class OutputTail
{
    private const int MaxLines = 20;
    private readonly Queue<string> _lines = new();
    private readonly Lock _gate = new();

    /// <summary>Starts draining both redirected streams so the child never blocks on a full pipe.</summary>
    public void Attach(Process process)
    {
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public override string ToString()
    {
        lock (_gate)
        {
            return string.Join('\n', _lines);
        }
    }

    private void Add(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        lock (_gate)
        {
            _lines.Enqueue(line);
            while (_lines.Count > MaxLines)
            {
                _lines.Dequeue();
            }
        }
    }
}
