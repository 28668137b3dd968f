using System.Text;
using Tessera.Proxy.Commands;
using Tessera.Resp.Commands;

namespace Tessera.Clients.Tests.Differential;

/// <summary>
/// Compares a case's replies from the plain redis-server and from the proxy, byte for byte after the case's declared
/// normalisations. A difference passes only when it is by design (<see cref="ByDesignDifferences"/>; a refusal must carry
/// the proxy's documented reason) or a known bug (<see cref="KnownDifferences"/>, which must still differ in the listed way).
/// </summary>
public sealed class DiffComparison
{
    private static readonly Lazy<Dictionary<string, string>> Refusals = new(() =>
        CommandPolicies.Describe().Where(r => r.Support == "refused").ToDictionary(r => r.Command, r => r.Note, StringComparer.Ordinal));

    public List<string> Failures { get; } = [];

    public HashSet<ByDesignDifference> ByDesignSeen { get; } = [];

    public void Compare(DiffCase diffCase, List<StepReply> redis, List<StepReply> proxy)
    {
        if (redis.Count != proxy.Count)
        {
            Failures.Add($"[{diffCase.Name}] {redis.Count} replies from redis-server, {proxy.Count} through the proxy");
            return;
        }

        for (int i = 0; i < redis.Count; i++)
        {
            var expected = redis[i];
            var actual = proxy[i];
            bool same = expected.Comparable.AsSpan().SequenceEqual(actual.Comparable);
            var known = KnownDifferences.Find(diffCase.Name, expected.Label);
            string where = $"[{diffCase.Name}] step {expected.Step} ({expected.Label})";
            if (known is not null)
            {
                if (same)
                {
                    Failures.Add($"{where}: listed in KnownDifferences ({known.Issue}) but the replies are now the same; remove the entry");
                }
                else if (!Encoding.UTF8.GetString(actual.Bytes).Contains(known.Proxy, StringComparison.Ordinal))
                {
                    Failures.Add($"{where}: listed in KnownDifferences as answering '{ReplyText.Escape(Encoding.UTF8.GetBytes(known.Proxy))}', but now differs otherwise{Excerpts(expected.Comparable, actual.Comparable)}");
                }

                continue;
            }

            if (same)
            {
                continue;
            }

            string proxyText = Encoding.UTF8.GetString(actual.Bytes);
            var earlier = proxy.Take(i).Where(r => r.Client == actual.Client).Select(r => Encoding.UTF8.GetString(r.Bytes));
            var byDesign = ByDesignDifferences.All.FirstOrDefault(d => d.Matches(expected.Command, proxyText, earlier));
            if (byDesign is null)
            {
                Failures.Add($"{where} differs{Excerpts(expected.Comparable, actual.Comparable)}");
                continue;
            }

            ByDesignSeen.Add(byDesign);
            if (proxyText.Contains(" is not supported through Tessera: ", StringComparison.Ordinal) && RefusalOf(expected.Command) is var reason &&
                proxyText != $"-{reason}\r\n")
            {
                Failures.Add($"{where}: refused with '{ReplyText.Escape(actual.Bytes)}', but docs/commands.md says '{reason ?? "(not refused)"}'");
            }
        }
    }

    /// <summary>Both replies escaped; a long reply from a little before the first byte that differs, cut after 400 bytes.</summary>
    private static string Excerpts(byte[] redis, byte[] proxy)
    {
        const int Before = 60, Length = 400;
        int first = redis.AsSpan().CommonPrefixLength(proxy);
        int from = redis.Length + proxy.Length > 2 * Length ? Math.Max(0, first - Before) : 0;
        string Cut(byte[] bytes) => from >= bytes.Length ? "(ends before)" : ReplyText.Escape(bytes[from..Math.Min(bytes.Length, from + Length)]);
        string at = from == 0 ? "" : $" (from byte {from}; the first difference is at byte {first})";
        return $"{at}:\n  redis-server: {Cut(redis)}\n  proxy:        {Cut(proxy)}";
    }

    /// <summary>The proxy's documented refusal of the command (its subcommand's when it has one), or null.</summary>
    private static string? RefusalOf(string[] command)
    {
        var spec = CommandTable.Default.Find(command[0]);
        if (spec is not null && spec.HasSubcommands && command.Length > 1)
        {
            spec = spec.FindSubcommand(command[1]) ?? spec;
        }

        return spec is not null && Refusals.Value.TryGetValue(spec.DisplayName, out var note) ? note : null;
    }
}
