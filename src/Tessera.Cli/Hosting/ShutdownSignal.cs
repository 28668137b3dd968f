using System.Runtime.InteropServices;

namespace Tessera.Cli.Hosting;

/// <summary>
/// Turns SIGINT (Ctrl-C), SIGTERM and SIGQUIT into a cancellation token so a verb can stop what it started in
/// order, instead of the runtime ending the process at once. A second signal is not intercepted, so pressing
/// Ctrl-C twice still ends a shutdown that hangs. SIGHUP either also stops (a closed terminal) or, when a
/// handler is given, runs it (the daemon convention: reload configuration).
/// </summary>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private readonly Action? _onHangup;

    public ShutdownSignal(Action? onHangup = null)
    {
        _onHangup = onHangup;
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, OnStopSignal));
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnStopSignal));
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnStopSignal));
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnHangup));
    }

    /// <summary>Cancelled when a stop signal arrives.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>The signal that asked us to stop, for the log line ("SIGTERM"), or null.</summary>
    public string? Received { get; private set; }

    /// <summary>Waits until a stop signal arrives.</summary>
    public async Task WaitAsync()
    {
        try
        {
            await Task.Delay(Timeout.Infinite, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The signal is the normal way out.
        }
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _stop.Dispose();
    }

    private void OnStopSignal(PosixSignalContext context)
    {
        if (_stop.IsCancellationRequested)
        {
            // Second signal: let the default action end the process.
            return;
        }

        context.Cancel = true;
        Received = context.Signal switch
        {
            PosixSignal.SIGINT => "SIGINT",
            PosixSignal.SIGTERM => "SIGTERM",
            PosixSignal.SIGQUIT => "SIGQUIT",
            _ => context.Signal.ToString(),
        };
        _stop.Cancel();
    }

    private void OnHangup(PosixSignalContext context)
    {
        if (_onHangup is null)
        {
            OnStopSignal(context);
            return;
        }

        context.Cancel = true;
        _onHangup();
    }
}
