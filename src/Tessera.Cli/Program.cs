using System.CommandLine;
using Tessera.Cli.Hosting;
using Tessera.Cli.Verbs;
using Tessera.Cli.Verbs.Admin;

// The `tessera` executable: parses the command line and hands over to a verb. Real work lives in the libraries.
var root = new RootCommand("Tessera: a distributed Redis service. Clients speak plain RESP to stateless proxies that shard keys over groups of ordinary redis-server processes.")
{
    UpVerb.Create(),
    ProxyVerb.Create(),
    ControllerVerb.Create(),
};
AdminVerbs.AddTo(root);
root.WithEpilog("""
    Examples:
      tessera up                              a local cluster (2 groups x 1 replica) behind a proxy on 127.0.0.1:19000
      tessera proxy --config topology.yaml    a proxy serving the groups described in a topology file
      tessera up --help                       everything about one verb
    """);
VerbHelp.Install(root);

// Signals are ours: verbs stop their proxy and redis-servers in order (see ShutdownSignal), so
// System.CommandLine must not install its own handler that would end the process after a timeout.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null };
// No response files: "@admin,@dangerous" (ACL categories) is an argument, not a file to read arguments from.
var parsed = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
return AdminVerbs.IsUsageError(parsed) ? AdminVerbs.ReportUsageError(parsed) : await parsed.InvokeAsync(invocation);
