using System.CommandLine;
using System.Globalization;
using Tessera.Cli.Hosting;
using Tessera.Model.Api;

namespace Tessera.Cli.Verbs.Admin;

/// <summary><c>tessera proxies</c>: registered proxies and whether they serve the stored routes.</summary>
internal static class ProxiesVerb
{
    public static Command Create()
    {
        var controller = AdminOptions.Controller();
        var json = AdminOptions.Json();
        var zone = new Option<string?>("--zone", "-z") { Description = "Only the proxies of this zone (as they registered with `tessera proxy --zone`)." };
        var command = new Command("proxies", "List the registered proxies with the epoch and routing signature each one serves.") { controller, json, zone }
            .WithEpilog("""
                A proxy registers itself in the store while it runs (with a lease). OK means its routing signature
                equals the stored namespace's; MISMATCH means it serves other routes (it repairs itself from the store).

                For discovery by plain clients (as Codis's jodis): --json lists every live proxy with the address
                clients should reach ("announce" when it has one, else "address"); --zone keeps one zone's.

                Examples:
                  tessera proxies --controller http://127.0.0.1:18080
                  tessera proxies --json --zone az1
                """);
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
        {
            var proxies = await client.ListProxiesAsync(parse.GetValue(zone), ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                output.Json(proxies);
                return;
            }

            Write(output, proxies, "");
        }, cancel));
        return command;
    }

    /// <summary>The proxies table, shared with <c>tessera status</c>.</summary>
    internal static void Write(AdminOutput output, IReadOnlyList<ProxyStatus> proxies, string indent)
    {
        if (proxies.Count == 0)
        {
            output.Line(indent + "No proxies registered: start one with `tessera proxy --store <url>`.");
            return;
        }

        output.Table(
            ["PROXY", "ADDRESS", "ADMIN", "ZONE", "STATE", "NAMESPACES (epoch, routes)"],
            proxies.Select(static p => (IReadOnlyList<string>)
            [
                p.Proxy.Id,
                p.Proxy.Address,
                p.Proxy.AdminUrl,
                p.Proxy.Zone ?? "",
                !p.Reachable ? "unreachable: " + p.Problem : p.Fenced ? "fenced" : "serving",
                string.Join(", ", p.Namespaces.Select(Describe)),
            ]),
            indent);
    }

    private static string Describe(ProxyNamespaceStatus ns)
    {
        if (ns.Epoch is not { } epoch)
        {
            return $"{ns.Name}: missing";
        }

        var text = string.Create(CultureInfo.InvariantCulture, $"{ns.Name}@{epoch} ");
        return text + (ns.Matches ? "OK" : ns.StoredEpoch is null ? "REMOVED" : "MISMATCH");
    }
}
