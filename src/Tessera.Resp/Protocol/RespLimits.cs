namespace Tessera.Resp.Protocol;

/// <summary>
/// Limits applied while parsing client requests. Exceeding one answers
/// <c>-ERR Protocol error: ...</c> and closes only the offending connection.
/// </summary>
public sealed record RespLimits
{
    /// <summary>Largest bulk string a client may send (Redis's proto-max-bulk-len, 512 MB).</summary>
    public long MaxBulkLength { get; init; } = 512L * 1024 * 1024;

    /// <summary>Most arguments in one request (multibulk length).</summary>
    public int MaxArrayLength { get; init; } = 1024 * 1024;

    /// <summary>Largest single request, all arguments included (Redis's client-query-buffer-limit, 1 GB).</summary>
    public long MaxRequestBytes { get; init; } = 1024L * 1024 * 1024;

    /// <summary>Longest inline command line (Redis allows 64 KB).</summary>
    public int MaxInlineLength { get; init; } = 64 * 1024;

    /// <summary>Defaults matching redis-server's own.</summary>
    public static RespLimits Default { get; } = new();
}
