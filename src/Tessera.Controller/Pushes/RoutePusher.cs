using Microsoft.Extensions.Logging;
using Tessera.Controller.Metrics;
using Tessera.Controller.Proxies;
using Tessera.Model.Api;
using Tessera.Model.Proxies;

namespace Tessera.Controller.Pushes;

/// <summary>
/// Pushes one namespace's routes to every registered proxy in parallel and waits, per proxy, until it acks
/// (answers 2xx with the pushed epoch or a newer one applied), its registration vanishes (its lease expired:
/// it is waited out and fences itself, architecture §3), or the push deadline passes (reported as unacknowledged;
/// the proxy's own store watch repairs it). Calls are retried every <see cref="RetryDelay"/>, each bounded by
/// <see cref="ControllerOptions.PushCallTimeout"/>. Only runs under a leader's term: when the term ends, the
/// pushes stop at once.
/// </summary>
internal sealed class RoutePusher
{
    /// <summary>Pause between attempts to a proxy that did not ack.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);

    private readonly ProxyDirectory _directory;
    private readonly ProxyAdminClient _client;
    private readonly ControllerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    private readonly ControllerMetrics _metrics;

    public RoutePusher(ProxyDirectory directory, ProxyAdminClient client, ControllerOptions options, ControllerMetrics metrics, TimeProvider time, ILogger logger)
    {
        _metrics = metrics;
        _directory = directory;
        _client = client;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>Pushes <paramref name="push"/> to every proxy registered now; the outcome per proxy.</summary>
    public async Task<PushPhase> PushAsync(RoutePush push, string phase, CancellationToken term)
    {
        var started = _time.GetTimestamp();
        var proxies = await _directory.ListAsync(term).ConfigureAwait(false);
        var deadline = _time.GetTimestamp() + (long)(_options.PushDeadline.TotalSeconds * _time.TimestampFrequency);
        var results = await Task.WhenAll(proxies.Select(proxy => PushOneAsync(proxy, push, deadline, term))).ConfigureAwait(false);
        foreach (var result in results)
        {
            if (result.Outcome != PushOutcome.Acked)
            {
                _logger.LogWarning(
                    "Push of namespace {Namespace} epoch {Epoch} ({Phase}) to proxy {Proxy}: {Outcome} after {Attempts} attempt(s) ({Detail}).",
                    push.Namespace.Name, push.Namespace.Epoch, phase, result.Id, result.Outcome, result.Attempts, result.Detail);
            }
        }

        return new PushPhase { Epoch = push.Namespace.Epoch, Phase = phase, Proxies = results, Milliseconds = Math.Round(_time.GetElapsedTime(started).TotalMilliseconds, 1) };
    }

    /// <summary>True when <paramref name="state"/> shows <paramref name="push"/> applied (or overtaken by a newer epoch).</summary>
    public static bool IsAck(ProxyRoutesState state, RoutePush push)
    {
        foreach (var ns in state.Namespaces)
        {
            if (string.Equals(ns.Name, push.Namespace.Name, StringComparison.Ordinal))
            {
                return ns.Epoch >= push.Namespace.Epoch;
            }
        }

        // A removal is applied when the namespace is gone from the proxy.
        return push.Removed;
    }

    private async Task<ProxyPushResult> PushOneAsync(ProxyRecord proxy, RoutePush push, long deadline, CancellationToken term)
    {
        var started = _time.GetTimestamp();
        var attempts = 0;
        string? detail = null;
        while (true)
        {
            term.ThrowIfCancellationRequested();
            attempts++;
            try
            {
                var state = await _client.PushAsync(proxy, push, _options.PushCallTimeout, term).ConfigureAwait(false);
                if (IsAck(state, push))
                {
                    return Result(PushOutcome.Acked, null);
                }

                detail = $"it answered but still serves an older epoch of '{push.Namespace.Name}'";
            }
            catch (ProxyCallException e)
            {
                detail = e.Message;
            }

            if (!await _directory.IsRegisteredAsync(proxy.Id, term).ConfigureAwait(false))
            {
                return Result(PushOutcome.WaitedOut, detail + "; its registration expired, so the change went on without it");
            }

            if (_time.GetTimestamp() >= deadline)
            {
                return Result(PushOutcome.Unacknowledged, detail + $"; still registered after {_options.PushDeadline.TotalSeconds:0.#} s, it will reload from the store");
            }

            await Task.Delay(RetryDelay, _time, term).ConfigureAwait(false);
        }

        ProxyPushResult Result(PushOutcome outcome, string? why)
        {
            _metrics.Push(outcome switch { PushOutcome.Acked => "acked", PushOutcome.WaitedOut => "waited-out", _ => "unacknowledged" }, _time.GetElapsedTime(started));
            return new() { Id = proxy.Id, AdminUrl = proxy.AdminUrl, Outcome = outcome, Attempts = attempts, Detail = why };
        }
    }
}
