using System.CommandLine;
using Tessera.Controller.Api;
using Tessera.Model.Api;

namespace Tessera.Cli.Verbs.Admin;

/// <summary>
/// <c>tessera namespace set NS --backend-tls-ca FILE [--backend-tls-cert FILE --backend-tls-key FILE]
/// [--backend-tls-server-name NAME]</c> and <c>--no-backend-tls</c>: TLS from proxies and controllers to the namespace's
/// redis-servers. The files are read here and their contents sent to the controller, which keeps them in the store, so
/// no proxy or controller host needs the files; the key is never printed back ("***").
/// </summary>
internal sealed class NamespaceBackendTlsOptions
{
    private readonly Option<FileInfo?> _ca = new("--backend-tls-ca")
    {
        Description = "PEM file of the CA the namespace's redis-servers' certificates chain to (the issuer of their tls-cert-file). Turns on TLS to its servers, whose addresses in the groups are then their tls-ports. Checked against every master (TLS, AUTH, tls-replication yes, tls-cluster yes) before it is stored.",
        HelpName = "file",
    };

    private readonly Option<FileInfo?> _cert = new("--backend-tls-cert")
    {
        Description = "PEM file of the client certificate presented to the servers (needed when they run with tls-auth-clients yes, the default). With --backend-tls-key; setting them again rotates them on running proxies.",
        HelpName = "file",
    };

    private readonly Option<FileInfo?> _key = new("--backend-tls-key")
    {
        Description = "PEM file of the client certificate's private key (PKCS#8, RSA or EC). Sent to the controller, never shown again.",
        HelpName = "file",
    };

    private readonly Option<string?> _serverName = new("--backend-tls-server-name")
    {
        Description = "The name the servers' certificates must carry, when it is not the host of their addresses (e.g. redis.internal for servers added by IP).",
        HelpName = "name",
    };

    private readonly Option<bool> _none = new("--no-backend-tls")
    {
        Description = "Remove backend TLS: servers are reached over plain TCP (refused while a master does not answer there).",
    };

    public IEnumerable<Option> All => [_ca, _cert, _key, _serverName, _none];

    /// <summary>What the command line asks, with the files read: null when no backend TLS option is given; an error text on a contradiction or an unreadable file.</summary>
    public (SetBackendTlsRequest? Set, bool Remove, string? Error) Read(ParseResult parse)
    {
        var ca = parse.GetValue(_ca);
        var cert = parse.GetValue(_cert);
        var key = parse.GetValue(_key);
        var serverName = parse.GetValue(_serverName);
        var remove = parse.GetValue(_none);
        if (remove && (ca is not null || cert is not null || key is not null || serverName is not null))
        {
            return (null, false, "--no-backend-tls removes backend TLS: give it without --backend-tls-ca, --backend-tls-cert, --backend-tls-key and --backend-tls-server-name");
        }

        if (ca is null)
        {
            return cert is not null || key is not null || serverName is not null
                ? (null, false, "--backend-tls-cert, --backend-tls-key and --backend-tls-server-name need --backend-tls-ca (the CA the servers' certificates chain to)")
                : (null, remove, null);
        }

        if ((cert is null) != (key is null))
        {
            return (null, false, "--backend-tls-cert and --backend-tls-key go together: give both files or neither");
        }

        try
        {
            return (new SetBackendTlsRequest(File.ReadAllText(ca.FullName), cert is null ? null : File.ReadAllText(cert.FullName), key is null ? null : File.ReadAllText(key.FullName), serverName), false, null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (null, false, $"cannot read a backend TLS file: {ex.Message}");
        }
    }

    /// <summary>Sends the change and prints its answer (the certificates' subjects, never the key).</summary>
    public static async Task RunAsync(ControllerClient client, AdminOutput output, string ns, SetBackendTlsRequest? set, bool json, CancellationToken cancellationToken)
    {
        var view = set is null
            ? await client.RemoveBackendTlsAsync(ns, cancellationToken).ConfigureAwait(false)
            : await client.SetBackendTlsAsync(ns, set, cancellationToken).ConfigureAwait(false);
        if (json)
        {
            output.Json(view);
            return;
        }

        output.Line(view.Summary ?? $"namespace '{ns}': backend TLS changed");
        if (view.Ca is not null)
        {
            output.Line($"  CA {view.Ca} (until {view.CaNotAfter:u}), client certificate {view.ClientCertificate ?? "none"}{(view.ClientCertificateNotAfter is { } until ? $" (until {until:u})" : "")}");
        }

        foreach (var warning in view.Warnings ?? [])
        {
            output.Error.WriteLine("warning: " + warning);
        }
    }
}
