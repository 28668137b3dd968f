namespace Tessera.Proxy.Backends;

/// <summary>
/// Retiring a link when the namespace's backend TLS changed: new commands go to a new link at once, the old one answers
/// what it carries and closes (its requests' timeouts still checked), so nothing in flight is lost.
/// </summary>
internal sealed partial class BackendConnection
{
    /// <summary>
    /// Moves this connection to a new link (started by the next command, with the server's login as it is now) and retires
    /// the link that is up: what it carries is answered there, then it closes; nothing in flight is lost. Used when the
    /// namespace's backend TLS changed (a rotated client certificate, TLS set or removed). Not for subscribed connections,
    /// whose subscriptions live on their link (their next link uses the new login).
    /// </summary>
    public void Reconnect(string reason)
    {
        if (PushSink is not null)
        {
            return;
        }

        Link? closeNow = null;
        lock (_gate)
        {
            if (_link is not { } link)
            {
                return;
            }

            if (_pendingFlush)
            {
                FlushLocked(link);
            }

            link.Retired = true;
            _link = null;
            _retryAt = 0;
            if (link.InFlight.Count == 0)
            {
                closeNow = link;
            }
            else
            {
                _retired = link;
            }
        }

        if (closeNow is not null)
        {
            Fail(closeNow, "retired: " + reason);
        }
    }

    /// <summary>Fails the retired link when its oldest request waited past the request timeout (its server stopped answering), or closes it once drained.</summary>
    private void CheckRetiredTimeout()
    {
        Link? expired = null;
        var drained = false;
        lock (_gate)
        {
            if (_retired is not { } retired)
            {
                return;
            }

            if (retired.Dead)
            {
                _retired = null;
            }
            else if (retired.InFlight.Count == 0)
            {
                // Answered everything: normally closed by its receive loop already; this is the backstop.
                _retired = null;
                expired = retired;
                drained = true;
            }
            else if (_time.GetElapsedTime(retired.InFlight.Head.QueuedAt) >= _options.RequestTimeout)
            {
                _retired = null;
                expired = retired;
            }
        }

        if (expired is not null)
        {
            Fail(expired, drained ? "retired: the namespace's backend TLS changed" : $"no reply within {(long)_options.RequestTimeout.TotalMilliseconds} ms; connection reset");
        }
    }

    /// <summary>True when <paramref name="link"/> was retired (<see cref="Reconnect"/>) and has answered everything it carried.</summary>
    private bool DrainedRetired(Link link)
    {
        lock (_gate)
        {
            return link.Retired && link.InFlight.Count == 0;
        }
    }
}
