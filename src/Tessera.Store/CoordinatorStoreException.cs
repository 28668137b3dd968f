namespace Tessera.Store;

/// <summary>The store could not be reached or refused a request; the message says which store and what to check.</summary>
public class CoordinatorStoreException : Exception
{
    public CoordinatorStoreException()
    {
    }

    public CoordinatorStoreException(string message)
        : base(message)
    {
    }

    public CoordinatorStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A write named a lease that does not exist or has already expired: grant a new lease and write again.</summary>
public sealed class LeaseNotFoundException : CoordinatorStoreException
{
    public LeaseNotFoundException()
    {
    }

    public LeaseNotFoundException(string message)
        : base(message)
    {
    }

    public LeaseNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The message used by both stores.</summary>
    internal static LeaseNotFoundException For(long lease, string key) =>
        new($"Lease {lease} does not exist or has expired, so \"{key}\" was not written; grant a new lease (and re-register) before writing ephemeral records.");
}
