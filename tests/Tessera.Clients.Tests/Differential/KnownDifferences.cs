namespace Tessera.Clients.Tests.Differential;

/// <summary>
/// A difference that is a bug in the proxy, not a design decision: listed so CI stays green while it is visible.
/// The tests fail when a listed difference is no longer seen (the bug was fixed): then delete its entry.
/// </summary>
/// <param name="Case">The case's name.</param>
/// <param name="Reply">The label of the reply that differs (as in a failure message: "client 0: GET {t}k").</param>
/// <param name="Proxy">Text the proxy's wrong reply contains (RESP, e.g. "*-1\r\n"): a different wrong reply fails the test too.</param>
/// <param name="Issue">What is wrong, for the issue tracker.</param>
public sealed record KnownDifference(string Case, string Reply, string Proxy, string Issue);

/// <summary>Proxy bugs the differential harness found; the proxy is fixed elsewhere.</summary>
public static class KnownDifferences
{
    public static IReadOnlyList<KnownDifference> All { get; } =
    [
    ];

    public static KnownDifference? Find(string diffCase, string reply) =>
        All.FirstOrDefault(k => k.Case == diffCase && k.Reply == reply);
}
