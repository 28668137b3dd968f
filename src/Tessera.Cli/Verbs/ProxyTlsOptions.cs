using System.CommandLine;
using System.Net;
using Tessera.Model.Security;

namespace Tessera.Cli.Verbs;

/// <summary>The TLS options of <c>tessera proxy</c>: certificate, key, client CA (mutual TLS) and an optional second listener.</summary>
internal sealed class ProxyTlsOptions
{
    public Option<FileInfo?> Cert { get; } = new("--tls-cert")
    {
        Description = "PEM certificate (leaf first, then intermediates) the client listener presents over TLS; re-read when the file changes.",
        HelpName = "file",
    };

    public Option<FileInfo?> Key { get; } = new("--tls-key")
    {
        Description = "PEM private key of --tls-cert.",
        HelpName = "file",
    };

    public Option<FileInfo?> ClientCa { get; } = new("--tls-client-ca")
    {
        Description = "Mutual TLS: every TLS client must present a certificate that chains to this PEM CA; others are refused at the handshake.",
        HelpName = "file",
    };

    public Option<IPEndPoint?> Listen { get; } = new("--tls-listen")
    {
        Description = "A second client address that speaks TLS, keeping --listen plain TCP (default: --listen itself speaks TLS).",
        CustomParser = CommonOptions.ParseListen,
    };

    public Option<bool> AdminTls { get; } = new("--admin-tls")
    {
        Description = "Serve the admin API (route pushes, /healthz) over HTTPS with the --tls-cert/--tls-key files.",
    };

    public Option<FileInfo?> AdminCert { get; } = new("--admin-tls-cert")
    {
        Description = "Serve the admin API over HTTPS with this PEM certificate of its own (with --admin-tls-key).",
        HelpName = "file",
    };

    public Option<FileInfo?> AdminKey { get; } = new("--admin-tls-key")
    {
        Description = "PEM private key of --admin-tls-cert.",
        HelpName = "file",
    };

    public Option<FileInfo?> CaCert { get; } = new("--ca-cert")
    {
        Description = $"PEM CA trusted (besides the system's) when the proxy calls an https controller (default: ${TlsTrust.CaVariable}).",
        HelpName = "file",
    };

    /// <summary>Every option, to add to the command.</summary>
    public IEnumerable<Option> All => [Cert, Key, ClientCa, Listen, AdminTls, AdminCert, AdminKey, CaCert];

    /// <summary>The admin API's TLS files (its own, or the client listener's with --admin-tls) and the CA to trust; an error when they do not fit.</summary>
    public string? ReadAdmin(ParseResult parse, TlsFiles? client, out TlsFiles? admin, out string? caFile)
    {
        admin = null;
        caFile = TlsTrust.CaFile(parse.GetValue(CaCert)?.FullName);
        var (cert, key) = (parse.GetValue(AdminCert), parse.GetValue(AdminKey));
        if ((cert is null) != (key is null))
        {
            return "give both --admin-tls-cert and --admin-tls-key";
        }

        if (cert is not null)
        {
            if (parse.GetValue(AdminTls))
            {
                return "--admin-tls (the client listener's certificate) and --admin-tls-cert (its own) contradict each other: give one";
            }

            admin = new TlsFiles(cert.FullName, key!.FullName);
            return null;
        }

        if (parse.GetValue(AdminTls))
        {
            if (client is null)
            {
                return "--admin-tls uses the --tls-cert/--tls-key files: give them, or --admin-tls-cert/--admin-tls-key";
            }

            admin = client with { ClientCaFile = null };
        }

        return null;
    }

    /// <summary>The files and second listener asked for; an error message when the options do not fit together.</summary>
    public string? Read(ParseResult parse, out TlsFiles? files, out IPEndPoint? listen)
    {
        files = null;
        listen = parse.GetValue(Listen);
        var cert = parse.GetValue(Cert);
        var key = parse.GetValue(Key);
        var ca = parse.GetValue(ClientCa);
        if (cert is null && key is null)
        {
            return ca is not null || listen is not null ? "--tls-client-ca and --tls-listen need --tls-cert and --tls-key" : null;
        }

        if (cert is null || key is null)
        {
            return "give both --tls-cert and --tls-key";
        }

        foreach (var file in new[] { cert, key, ca })
        {
            if (file is { Exists: false })
            {
                return $"{file.FullName} does not exist";
            }
        }

        files = new TlsFiles(cert.FullName, key.FullName, ca?.FullName);
        return null;
    }
}
