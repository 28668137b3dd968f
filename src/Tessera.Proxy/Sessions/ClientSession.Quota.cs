using System.Globalization;
using Tessera.Proxy.Tenants;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions;

/// <remarks>
/// A namespace's quotas on this session: each command takes one op and its size in bytes from the session's own
/// credit, refilled in chunks from the namespace's buckets on this proxy (<see cref="QuotaBucket"/>). With no tokens
/// left the session stops reading until there are (backpressure: the command waits unread, nothing in a pipeline
/// fails); a session that keeps more waiting than its quota lets through (it never catches up with its own backlog) for
/// longer than <see cref="ProxyOptions.QuotaPatience"/> gets errors naming the limit.
/// </remarks>
internal sealed partial class ClientSession
{
    private long _opsCredit;
    private long _bytesCredit;
    private long _throttledSince;

    /// <summary>Reply bytes already charged to the namespace's bytes/s-out bucket.</summary>
    private long _bytesOutCharged;

    /// <summary>The namespace whose connection count includes this session, or null.</summary>
    private Tenant? _countedIn;

    private enum QuotaVerdict
    {
        Go,
        Wait,
        Refused,
    }

    /// <summary>Charges <paramref name="frame"/> to the session's namespace; see the remarks of this part.</summary>
    private QuotaVerdict Throttle(RequestFrame frame, Tenant tenant)
    {
        long size = frame.ConsumedLength;
        if (tenant.MaxRequestBytes > 0 && size > tenant.MaxRequestBytes)
        {
            ReplyError(string.Create(CultureInfo.InvariantCulture, $"ERR request of {size} bytes is over namespace '{tenant.Name}''s limit of {tenant.MaxRequestBytes} bytes per request (its maxRequestBytes quota); send smaller values or ask its operators to raise it"));
            return QuotaVerdict.Refused;
        }

        TimeSpan wait = TimeSpan.Zero;
        string? limit = null;
        if (tenant.Ops is { } ops && _opsCredit < 1)
        {
            long granted = ops.Take(1, Math.Clamp((long)(ops.Rate / 200), 1, 32), out wait);
            if (granted == 0)
            {
                limit = string.Create(CultureInfo.InvariantCulture, $"{tenant.Quota?.OpsPerSecond} ops/s");
            }

            _opsCredit += granted;
        }

        if (limit is null && tenant.BytesIn is { } bytes && _bytesCredit < size)
        {
            long need = size - _bytesCredit;
            long granted = bytes.Take(need, need + Math.Clamp((long)(bytes.Rate / 200), 1, 64 * 1024), out wait);
            if (granted == 0)
            {
                limit = string.Create(CultureInfo.InvariantCulture, $"{tenant.Quota?.BytesInPerSecond} bytes/s in");
            }

            _bytesCredit += granted;
        }

        if (limit is null && tenant.BytesOut is { } bytesOut)
        {
            // Replies are charged after they went out (they are written from the backends' threads): what was sent since
            // the last check must be in the bucket before this session reads on.
            long owed = _out.BytesWritten - _bytesOutCharged;
            if (owed > 0)
            {
                long granted = bytesOut.Take(owed, owed, out wait);
                if (granted == 0)
                {
                    limit = string.Create(CultureInfo.InvariantCulture, $"{tenant.Quota?.BytesOutPerSecond} bytes/s out");
                }

                _bytesOutCharged += granted;
            }
        }

        if (limit is null)
        {
            if (tenant.Ops is not null)
            {
                _opsCredit--;
            }

            if (tenant.BytesIn is not null)
            {
                _bytesCredit -= size;
            }

            return QuotaVerdict.Go;
        }

        var now = _context.Time.GetTimestamp();
        if (_throttledSince == 0)
        {
            _throttledSince = now;
        }
        else if (_context.Time.GetElapsedTime(_throttledSince, now) > _context.Options.QuotaPatience)
        {
            ReplyError($"ERR namespace '{tenant.Name}' is over its quota of {limit} (cluster-wide) for more than {_context.Options.QuotaPatience.TotalSeconds:0.#} s; slow down, or ask its operators to raise it");
            return QuotaVerdict.Refused;
        }

        tenant.CountQuotaWait();
        PauseUntil(Task.Delay(wait, _context.Time));
        return QuotaVerdict.Wait;
    }

    /// <summary>Counts the session in <paramref name="tenant"/>'s connections (out of the one it leaves); false when that namespace is full here.</summary>
    private bool CountConnection(Tenant tenant)
    {
        if (ReferenceEquals(_countedIn, tenant))
        {
            return true;
        }

        if (!tenant.TryAddConnection())
        {
            return false;
        }

        _countedIn?.RemoveConnection();
        _countedIn = tenant;
        _opsCredit = 0;
        _bytesCredit = 0;
        _bytesOutCharged = _out.BytesWritten;
        return true;
    }

    private void UncountConnection()
    {
        _countedIn?.RemoveConnection();
        _countedIn = null;
    }

    private string ConnectionQuotaError(Tenant tenant) =>
        string.Create(CultureInfo.InvariantCulture, $"ERR namespace '{tenant.Name}' is at its connection quota ({tenant.MaxConnections} on this proxy, its share of {tenant.Quota?.MaxConnections} cluster-wide); close idle connections, or ask its operators to raise it");
}
