using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Tessera.Model.Tenants;

/// <summary>
/// Who a client certificate names, in the forms a namespace may list to bind such clients without AUTH
/// (<see cref="Topology.NamespaceConfig.ClientCertificates"/>): its subject ("CN=shop-app" or "CN=shop-app,O=Example",
/// most specific part first, as <c>openssl x509 -noout -subject -nameopt RFC2253</c> prints it), a DNS name of its
/// subject alternative names ("dns:shop.example.com") or its SHA-256 fingerprint ("sha256:AB12…", colons optional).
/// </summary>
public static class ClientCertificateIdentity
{
    /// <summary>Most identities a namespace may list.</summary>
    public const int MaxEntries = 64;

    /// <summary>The canonical form of <paramref name="entry"/> (what is stored and compared), or null with the reason.</summary>
    public static string? Normalize(string? entry, out string? problem)
    {
        problem = null;
        var text = entry?.Trim() ?? "";
        if (text.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase))
        {
            var hex = text[7..].Replace(":", "", StringComparison.Ordinal).ToUpperInvariant();
            if (hex.Length == 64 && hex.All(Uri.IsHexDigit))
            {
                return "sha256:" + hex;
            }

            problem = $"'{entry}' is not a SHA-256 fingerprint (sha256: then 64 hex digits, colons allowed, as `openssl x509 -noout -fingerprint -sha256` prints)";
            return null;
        }

        if (text.StartsWith("dns:", StringComparison.OrdinalIgnoreCase))
        {
            var name = text[4..].Trim().ToLowerInvariant();
            if (name.Length > 0 && Uri.CheckHostName(name.Replace("*.", "", StringComparison.Ordinal)) == UriHostNameType.Dns)
            {
                return "dns:" + name;
            }

            problem = $"'{entry}' is not a DNS name (dns:shop.example.com)";
            return null;
        }

        if (Subject(text) is { } subject)
        {
            return subject;
        }

        problem = $"'{entry}' is not a certificate identity: give a subject (\"CN=shop-app\" or \"CN=shop-app,O=Example\"), a SAN DNS name (\"dns:shop.example.com\") or a fingerprint (\"sha256:…\")";
        return null;
    }

    /// <summary>Every problem of <paramref name="entries"/>, for validators.</summary>
    public static IEnumerable<string> Problems(IReadOnlyList<string> entries)
    {
        if (entries.Count > MaxEntries)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"{entries.Count} certificate identities are listed; at most {MaxEntries} are allowed (bind by a shared subject instead)");
        }

        foreach (var entry in entries)
        {
            if (Normalize(entry, out var problem) is null)
            {
                yield return problem!;
            }
        }
    }

    /// <summary>Every identity <paramref name="certificate"/> carries, in canonical form: subject, SAN DNS names, fingerprint.</summary>
    public static IReadOnlyList<string> Of(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var keys = new List<string>(4);
        if (Subject(certificate.SubjectName.Name) is { } subject)
        {
            keys.Add(subject);
        }

        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                foreach (var dns in san.EnumerateDnsNames())
                {
                    keys.Add("dns:" + dns.ToLowerInvariant());
                }
            }
        }

        keys.Add("sha256:" + certificate.GetCertHashString(HashAlgorithmName.SHA256));
        return keys;
    }

    /// <summary>"CN = a, O = b" → "CN=a,O=b": attribute names upper case, spaces around separators dropped.</summary>
    private static string? Subject(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            return null;
        }

        for (int i = 0; i < parts.Length; i++)
        {
            int eq = parts[i].IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == parts[i].Length - 1)
            {
                return null;
            }

            var attribute = parts[i][..eq].Trim();
            if (!attribute.All(c => char.IsAsciiLetterOrDigit(c) || c == '.'))
            {
                return null;
            }

            parts[i] = attribute.ToUpperInvariant() + "=" + parts[i][(eq + 1)..].Trim();
        }

        return string.Join(',', parts);
    }
}
