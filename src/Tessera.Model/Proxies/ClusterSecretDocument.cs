namespace Tessera.Model.Proxies;

/// <summary>
/// The cluster secret as the store keeps it at <c>/tessera/security/cluster-secret</c>: created once by the first
/// controller, sent by controllers as <c>Authorization: Bearer</c> on every call to a proxy's admin API and by
/// proxies on their health reports to the controller.
/// </summary>
public sealed record ClusterSecretDocument(string Secret);
