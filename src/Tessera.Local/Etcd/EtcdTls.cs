namespace Tessera.Local.Etcd;

/// <summary>What a local etcd serves clients TLS with: its certificate and key, and the authority (PEM) clients trust.</summary>
public sealed record EtcdTls(string CertFile, string KeyFile, string CaFile);
