namespace Tessera.Model.Security;

/// <summary>
/// PEM files of a TLS endpoint: its certificate (the leaf first, then any intermediates), its private key and,
/// for mutual TLS, the CA that client certificates must chain to.
/// </summary>
/// <param name="CertificateFile">PEM certificate chain, leaf first.</param>
/// <param name="KeyFile">PEM private key of the leaf (PKCS#8, RSA or EC).</param>
/// <param name="ClientCaFile">PEM CA certificate(s) that client certificates are verified against; null: no client certificate is asked for.</param>
public sealed record TlsFiles(string CertificateFile, string KeyFile, string? ClientCaFile = null);
