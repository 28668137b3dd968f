using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Tessera.Controller.Events;
using Tessera.Model.Api;
using Tessera.Store;

namespace Tessera.Controller.Security;

/// <summary>
/// The audit log: every admin change that reached a handler (method other than GET/HEAD), with who, from where,
/// what and the status it ended with, kept in the store as a <see cref="BoundedStoreList{T}"/> of the newest
/// <see cref="Capacity"/> entries. Bodies are never recorded: token creation returns a token and other requests
/// may carry passwords; the route template and its values say what was changed. A store that does not take an
/// entry is logged, never failing the request.
/// </summary>
internal sealed class AuditLog
{
    /// <summary>Entries kept; older ones are dropped.</summary>
    public const int Capacity = AuditEntry.Kept;

    /// <summary>Bound on writing one entry, so a store that hangs does not hold the answer for long.</summary>
    private static readonly TimeSpan WriteBound = TimeSpan.FromSeconds(3);

    private readonly BoundedStoreList<AuditEntry> _list;
    private readonly string _controller;
    private readonly TimeProvider _time;

    public AuditLog(ICoordinatorStore store, string controllerId, TimeProvider time, ILogger logger)
    {
        _list = new BoundedStoreList<AuditEntry>(store, StorePaths.AuditLog, Capacity, "entries", "audit log", logger);
        _controller = controllerId;
        _time = time;
    }

    /// <summary>Records the request <paramref name="http"/> (answered) made by <paramref name="caller"/>.</summary>
    public async Task RecordAsync(HttpContext http, ApiCaller caller)
    {
        var request = http.Request;
        var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in request.RouteValues)
        {
            values[name] = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
        }

        var remote = http.Connection.RemoteIpAddress;
        var entry = new AuditEntry
        {
            Time = _time.GetUtcNow(),
            Controller = _controller,
            Token = caller.Token,
            Role = caller.Role,
            Client = remote is null ? "unknown" : string.Create(CultureInfo.InvariantCulture, $"{remote}:{http.Connection.RemotePort}"),
            Method = request.Method,
            Path = request.Path.ToString(),
            Route = ApiAccess.IsFallback(route) ? null : route,
            Values = values,
            Status = http.Response.StatusCode,
        };

        // Not the request's own token: a caller that hung up after sending a change is still recorded.
        using var bound = new CancellationTokenSource(WriteBound);
        await _list.AppendAsync(entry, $"{entry.Method} {entry.Path} by token '{entry.Token}' ({entry.Status})", bound.Token).ConfigureAwait(false);
    }

    /// <summary>The newest <paramref name="limit"/> entries, oldest first.</summary>
    public Task<IReadOnlyList<AuditEntry>> ListAsync(int limit, CancellationToken cancellationToken) => _list.ListAsync(limit, cancellationToken);
}
