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
