namespace Tessera.Controller;

/// <summary>
/// A request the controller will not carry out, with the HTTP status it maps to (400 bad input, 404 unknown
/// thing, 409 conflicts with the current state, 503 not now) and a message naming the thing and what to do.
/// The API turns it into <c>{"error": message}</c>.
/// </summary>
public sealed class OperationRefusedException : Exception
{
    public OperationRefusedException()
    {
    }

    public OperationRefusedException(string message)
        : base(message)
    {
    }

    public OperationRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public OperationRefusedException(int statusCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
    }

    /// <summary>The HTTP status for the answer.</summary>
    public int StatusCode { get; } = 409;

    /// <summary>On a standby's 503: the leader's URL, where the change should go instead.</summary>
    public Uri? Leader { get; init; }

    /// <summary>400: the request itself is malformed (bad host:port, slot out of range).</summary>
    public static OperationRefusedException BadRequest(string message) => new(400, message);

    /// <summary>404: it names a namespace, group or server that does not exist.</summary>
    public static OperationRefusedException NotFound(string message) => new(404, message);

    /// <summary>409: well-formed, but the current topology or a server's state forbids it.</summary>
    public static OperationRefusedException Conflict(string message, Exception? innerException = null) => new(409, message, innerException);

    /// <summary>503: this controller cannot do it now (standby, store unreachable, leadership lost).</summary>
    public static OperationRefusedException Unavailable(string message, Exception? innerException = null) => new(503, message, innerException);
}
