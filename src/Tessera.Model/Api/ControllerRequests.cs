namespace Tessera.Model.Api;

/// <summary>Body of POST /api/namespaces.</summary>
public sealed record CreateNamespaceRequest(string Name);

/// <summary>Changes a namespace's settings; a null field is left as it is.</summary>
/// <param name="AllowFlush">Whether FLUSHDB/FLUSHALL through the proxies empty every group of the namespace.</param>
public sealed record UpdateNamespaceRequest(bool? AllowFlush);

/// <summary>Body of POST /api/namespaces/{ns}/groups: a new, empty group with this id (a positive integer).</summary>
public sealed record CreateGroupRequest(int Id);

/// <summary>
/// Body of POST /api/namespaces/{ns}/groups/{gid}/servers: a redis-server ("host:port") joins the group,
/// as its master when the group has none, otherwise as a replica of the master.
/// </summary>
public sealed record AddServerRequest(string Address, string? Zone = null);

/// <summary>Body of POST /api/namespaces/{ns}/slots: slots <see cref="From"/>..<see cref="To"/> (inclusive, all unassigned) go to group <see cref="Group"/>.</summary>
public sealed record AssignSlotsRequest(int From, int To, int Group);
