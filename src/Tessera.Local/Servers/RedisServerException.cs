namespace Tessera.Local.Servers;

/// <summary>A redis-server could not be started, confirmed or stopped. The message carries the server's log tail.</summary>
public sealed class RedisServerException : Exception
{
    public RedisServerException()
    {
    }

    public RedisServerException(string message)
        : base(message)
    {
    }

    public RedisServerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
