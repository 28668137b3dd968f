using System.Text.Json.Serialization;
using Tessera.Model.Topology;

namespace Tessera.Model.Api;

/// <summary>
/// The answer to every change the controller makes: the namespace as now stored (its new epoch), what was
/// done in words, and how the route pushes to the proxies went.
/// </summary>
public sealed record ChangeResult
{
    /// <summary>The namespace after the change; for a removal, its last routes at the epoch that removed it.</summary>
    public required NamespaceConfig Namespace { get; init; }

    /// <summary>True when the change removed the namespace.</summary>
    public bool Removed { get; init; }

    /// <summary>One line saying what changed, e.g. "group 1: 127.0.0.1:7001 joined as master".</summary>
    public required string Summary { get; init; }

    /// <summary>Things the operator should know that did not stop the change (e.g. a removed replica that could not be detached).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>One entry per phase pushed to the proxies (two for a change that moves slot ownership, one otherwise).</summary>
    public IReadOnlyList<PushPhase> Pushes { get; init; } = [];
}

/// <summary>One route push: the epoch pushed and what each proxy registered at the time did with it.</summary>
public sealed record PushPhase
{
    public required long Epoch { get; init; }

    /// <summary>"lock" (slots held while proxies switch), "switch" (new owners) or "update" (a one-phase change).</summary>
    public required string Phase { get; init; }

    public IReadOnlyList<ProxyPushResult> Proxies { get; init; } = [];

    /// <summary>Milliseconds from sending the push until every proxy had acked or was waited out: how long the change took to go live.</summary>
    public double Milliseconds { get; init; }
}

/// <summary>What one proxy did with one push.</summary>
public sealed record ProxyPushResult
{
    public required string Id { get; init; }

    public required string AdminUrl { get; init; }

    public required PushOutcome Outcome { get; init; }

    /// <summary>Requests sent before the outcome was known.</summary>
    public int Attempts { get; init; }

    /// <summary>For anything but an ack: the last problem seen (timeout, refused connection, HTTP status).</summary>
    public string? Detail { get; init; }
}

/// <summary>How a push to one proxy ended.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PushOutcome>))]
public enum PushOutcome
{
    /// <summary>The proxy answered with the pushed epoch (or a newer one) applied.</summary>
    Acked = 0,

    /// <summary>The proxy never acked and its registration vanished (lease expired): the change went on without it.</summary>
    WaitedOut,

    /// <summary>The proxy stayed registered but did not ack within the push deadline; it will reload from the store.</summary>
    Unacknowledged,
}
