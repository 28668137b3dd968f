namespace Tessera.Controller.Failover;

/// <summary>Body of <c>POST /api/namespaces/{ns}/groups/{gid}/promote</c>: the replica ("host:port") to make the group's master.</summary>
public sealed record PromoteRequest(string Address);
