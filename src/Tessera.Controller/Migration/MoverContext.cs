using Microsoft.Extensions.Logging;
using Tessera.Controller.Servers;
using Tessera.Model.Tenants;
using Tessera.Model.Topology;

namespace Tessera.Controller.Migration;

/// <summary>What the movers of one migration share: its name for logs, live settings, the throttle, progress and the topology.</summary>
/// <param name="Name">"ns/id", for log lines.</param>
/// <param name="Settings">The current settings (the throttle may change while it runs).</param>
/// <param name="KeyBucket">Keys/s throttle shared by all sources.</param>
/// <param name="ByteBucket">Bytes/s throttle shared by all sources.</param>
/// <param name="Progress">Where moved keys are counted.</param>
/// <param name="ReadNamespace">The namespace as stored now (masters may change by failover).</param>
/// <param name="ReadLogin">The namespace's backend credentials as stored now (null: none).</param>
/// <param name="Time">Clock for delays.</param>
/// <param name="Logger">Log.</param>
internal sealed record MoverContext(
    string Name,
    Func<MigrationSettings> Settings,
    TokenBucket KeyBucket,
    TokenBucket ByteBucket,
    MigrationProgress Progress,
    Func<CancellationToken, Task<NamespaceConfig>> ReadNamespace,
    Func<CancellationToken, Task<ServerLogin?>> ReadLogin,
    TimeProvider Time,
    ILogger Logger);

/// <summary>A source or target did something the mover cannot use (no master, odd reply); retried with backoff.</summary>
internal sealed class MoverException : Exception
{
    public MoverException()
    {
    }

    public MoverException(string message)
        : base(message)
    {
    }

    public MoverException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
