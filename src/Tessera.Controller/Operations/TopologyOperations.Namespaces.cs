using Microsoft.Extensions.Logging;
using Tessera.Controller.Pushes;
using Tessera.Controller.Topology;
using Tessera.Model.Api;
using Tessera.Model.Proxies;
using Tessera.Model.Tenants;
using Tessera.Model.Topology;

namespace Tessera.Controller.Operations;

internal sealed partial class TopologyOperations
{
    /// <summary>Every namespace as stored, sorted by name.</summary>
    public async Task<IReadOnlyList<NamespaceConfig>> ListNamespacesAsync(CancellationToken cancellationToken) =>
        [.. (await _namespaces.ListAsync(cancellationToken).ConfigureAwait(false)).Select(static n => n.Config)];

    /// <summary>One namespace as stored; 404 when it does not exist.</summary>
    public async Task<NamespaceConfig> GetNamespaceAsync(string name, CancellationToken cancellationToken) =>
        (await _namespaces.RequireAsync(NamespaceRepository.ValidateName(name), cancellationToken).ConfigureAwait(false)).Config;

    /// <summary>Creates an empty namespace (no groups, no slots) and pushes it so proxies know it; <paramref name="open"/>: usable without a password.</summary>
    public Task<ChangeResult> CreateNamespaceAsync(string? name, bool open, CancellationToken requestAborted)
    {
        var valid = NamespaceRepository.ValidateName(name);
        return ChangeAsync(
            async term =>
            {
                var stored = await _namespaces.CreateAsync(valid, open, term).ConfigureAwait(false);
                var push = await _pusher.PushAsync(new RoutePush { Namespace = stored.Config }, "update", term).ConfigureAwait(false);
                _logger.LogInformation("Namespace {Namespace} created at epoch {Epoch}.", valid, stored.Config.Epoch);
                var access = open
                    ? "it is open: clients need no password"
                    : $"clients need a password: add a user with `tessera namespace user add {valid} app`";
                return Result(new CommittedChange(stored, [push]), $"namespace '{valid}' created (epoch {stored.Config.Epoch}); {access}; next: `tessera group create {valid} 1`");
            },
            requestAborted);
    }

    /// <summary>Changes a namespace's settings (FLUSH allowed, open, read-only) and pushes them at a new epoch.</summary>
    public Task<ChangeResult> UpdateNamespaceAsync(string name, UpdateNamespaceRequest request, CancellationToken requestAborted)
    {
        var valid = NamespaceRepository.ValidateName(name);
        if (request.IsEmpty)
        {
            throw OperationRefusedException.BadRequest("""nothing to change: give a setting, e.g. {"allowFlush": true}, {"open": false}, {"readOnly": true} or {"allowedIps": ["10.0.0.0/8"]}""");
        }

        var allowed = request.AllowedIps?.Select(static e => e.Trim()).Where(static e => e.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (allowed is not null && AllowList.Problems(allowed).ToList() is { Count: > 0 } problems)
        {
            throw OperationRefusedException.BadRequest($"the IP allow-list of namespace '{valid}' is refused: {string.Join("; ", problems)}");
        }

        List<string>? certificates = null;
        if (request.ClientCertificates is { } identities)
        {
            certificates = [];
            var refused = new List<string>();
            foreach (var identity in identities.Where(static e => !string.IsNullOrWhiteSpace(e)))
            {
                if (ClientCertificateIdentity.Normalize(identity, out var problem) is { } canonical)
                {
                    if (!certificates.Contains(canonical, StringComparer.Ordinal))
                    {
                        certificates.Add(canonical);
                    }
                }
                else
                {
                    refused.Add(problem!);
                }
            }

            if (certificates.Count > ClientCertificateIdentity.MaxEntries)
            {
                refused.Add($"{certificates.Count} identities are listed; at most {ClientCertificateIdentity.MaxEntries} are allowed");
            }

            if (refused.Count > 0)
            {
                throw OperationRefusedException.BadRequest($"the client certificate identities of namespace '{valid}' are refused: {string.Join("; ", refused)}");
            }
        }

        if (request.Quota is { } asked && (asked.OpsPerSecond < 0 || asked.BytesInPerSecond < 0 || asked.BytesOutPerSecond < 0 || asked.MaxConnections < 0 || asked.MaxRequestBytes < 0))
        {
            throw OperationRefusedException.BadRequest($"a quota of namespace '{valid}' is negative; give a positive limit, or 0 to remove it");
        }

        if (request.Reads is { MaxLagBytes: < 0 } or { ReadYourWritesMs: < 0 or > 3_600_000 })
        {
            throw OperationRefusedException.BadRequest($"the read settings of namespace '{valid}' are refused: maxLagBytes must be 0 or more, readYourWritesMs between 0 (off) and 3600000 (an hour)");
        }

        return ChangeAsync(
            async term =>
            {
                var current = await _namespaces.RequireAsync(valid, term).ConfigureAwait(false);
                if (certificates is { Count: > 0 })
                {
                    await RefuseTakenCertificatesAsync(valid, certificates, term).ConfigureAwait(false);
                }

                var next = current.Config with
                {
                    AllowFlush = request.AllowFlush ?? current.Config.AllowFlush,
                    Open = request.Open ?? current.Config.Open,
                    ReadOnly = request.ReadOnly ?? current.Config.ReadOnly,
                    AllowedIps = allowed is null || allowed.SequenceEqual(current.Config.AllowedIps, StringComparer.Ordinal) ? current.Config.AllowedIps : allowed,
                    Quota = MergeQuota(current.Config.Quota, request.Quota),
                    Reads = MergeReads(current.Config.Reads, request.Reads),
                    RequireTls = request.RequireTls ?? current.Config.RequireTls,
                    ClientCertificates = certificates is null || certificates.SequenceEqual(current.Config.ClientCertificates, StringComparer.Ordinal) ? current.Config.ClientCertificates : certificates,
                };
                var summary = DescribeSettings(next);
                if (next == current.Config)
                {
                    return Result(new CommittedChange(current, []), summary + " (unchanged)");
                }

                next = next with { Epoch = current.Config.Epoch + 1 };
                var change = await _switch.CommitAsync(current, next, "update", term).ConfigureAwait(false);
                _logger.LogInformation("{Summary} (epoch {Epoch}).", summary, next.Epoch);
                return Result(change, summary);
            },
            requestAborted);
    }

    /// <summary>Refuses identities another namespace already binds: one certificate selects one namespace.</summary>
    private async Task RefuseTakenCertificatesAsync(string ns, List<string> certificates, CancellationToken cancellationToken)
    {
        foreach (var other in await _namespaces.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (other.Config.Name != ns && other.Config.ClientCertificates.Intersect(certificates, StringComparer.Ordinal).FirstOrDefault() is { } taken)
            {
                throw OperationRefusedException.Conflict($"client certificate identity '{taken}' already binds namespace '{other.Config.Name}'; a certificate selects one namespace (remove it there first)");
            }
        }
    }

    /// <summary><paramref name="current"/> with <paramref name="change"/>'s fields: null keeps one, 0 removes it; null when no limit is left.</summary>
    private static NamespaceQuota? MergeQuota(NamespaceQuota? current, NamespaceQuota? change)
    {
        if (change is null)
        {
            return current;
        }

        static long? Pick(long? now, long? asked) => asked switch { null => now, 0 => null, _ => asked };
        var merged = new NamespaceQuota
        {
            OpsPerSecond = Pick(current?.OpsPerSecond, change.OpsPerSecond),
            BytesInPerSecond = Pick(current?.BytesInPerSecond, change.BytesInPerSecond),
            BytesOutPerSecond = Pick(current?.BytesOutPerSecond, change.BytesOutPerSecond),
            MaxConnections = Pick(current?.MaxConnections, change.MaxConnections),
            MaxRequestBytes = Pick(current?.MaxRequestBytes, change.MaxRequestBytes),
        };
        return merged.IsEmpty ? null : merged == current ? current : merged;
    }

    /// <summary><paramref name="current"/> with <paramref name="change"/>'s fields; null when the result is the default (every read at the master).</summary>
    private static ReadSettings? MergeReads(ReadSettings? current, ReadSettingsChange? change)
    {
        if (change is null || change.IsEmpty)
        {
            return current;
        }

        var now = current ?? ReadSettings.Default;
        var merged = new ReadSettings
        {
            Mode = change.Mode ?? now.Mode,
            MaxLagBytes = change.MaxLagBytes ?? now.MaxLagBytes,
            ReadYourWritesMs = change.ReadYourWritesMs ?? now.ReadYourWritesMs,
            Fallback = change.Fallback ?? now.Fallback,
        };
        return merged == ReadSettings.Default ? null : merged == current ? current : merged;
    }

    /// <summary>The read settings in words, for summaries and the CLI.</summary>
    internal static string DescribeReads(ReadSettings? reads)
    {
        var r = reads ?? ReadSettings.Default;
        var where = r.Mode switch
        {
            ReadMode.Replica => "reads at fresh replicas only",
            ReadMode.PreferReplica => "reads at fresh replicas, else the master",
            ReadMode.Nearest => $"reads at a fresh replica in the proxy's zone, else {(r.Fallback switch { ReadFallback.Master => "the master", ReadFallback.Replicas => "another zone's replica", _ => "another zone's replica, else the master" })}",
            _ => "reads at the master",
        };
        return r.Mode == ReadMode.Master
            ? where
            : $"{where} (fresh: within {r.MaxLagBytes} bytes of the master; read-your-writes {(r.ReadYourWritesMs == 0 ? "off" : $"{r.ReadYourWritesMs} ms")})";
    }

    /// <summary>The quota in words ("no limits" when none), for summaries and the CLI.</summary>
    internal static string DescribeQuota(NamespaceQuota? quota)
    {
        if (quota is null || quota.IsEmpty)
        {
            return "no limits";
        }

        var parts = new List<string>();
        if (quota.OpsPerSecond is > 0)
        {
            parts.Add($"{quota.OpsPerSecond} ops/s");
        }

        if (quota.BytesInPerSecond is > 0)
        {
            parts.Add($"{quota.BytesInPerSecond} bytes/s in");
        }

        if (quota.BytesOutPerSecond is > 0)
        {
            parts.Add($"{quota.BytesOutPerSecond} bytes/s out");
        }

        if (quota.MaxConnections is > 0)
        {
            parts.Add($"{quota.MaxConnections} connections");
        }

        if (quota.MaxRequestBytes is > 0)
        {
            parts.Add($"requests up to {quota.MaxRequestBytes} bytes");
        }

        return string.Join(", ", parts) + " (cluster-wide)";
    }

    private static string DescribeSettings(NamespaceConfig ns) =>
        $"namespace '{ns.Name}': "
        + (ns.ReadOnly ? "read-only (writes are refused, reads go on)" : "read-write")
        + (ns.Open ? ", open (no password needed)" : ", closed (clients AUTH with a user's password)")
        + (ns.AllowedIps.Count == 0 ? ", clients from any address" : $", clients from {string.Join(", ", ns.AllowedIps)} only")
        + (ns.RequireTls ? ", TLS required" : "")
        + (ns.ClientCertificates.Count == 0 ? "" : $", bound without AUTH by client certificates {string.Join(", ", ns.ClientCertificates)}")
        + $", {DescribeQuota(ns.Quota)}"
        + $", {DescribeReads(ns.Reads)}"
        + (ns.AllowFlush ? ", FLUSHDB/FLUSHALL allowed (they empty every group)" : ", FLUSHDB/FLUSHALL refused");

    /// <summary>
    /// Removes a namespace. Refused while any slot is assigned unless <paramref name="force"/>: its clients
    /// would lose their routes at once. Groups without slots go with it; the redis-servers and their data are
    /// left untouched. Proxies get a removal push at the next epoch.
    /// </summary>
    public Task<ChangeResult> RemoveNamespaceAsync(string name, bool force, CancellationToken requestAborted)
    {
        var valid = NamespaceRepository.ValidateName(name);
        return ChangeAsync(
            async term =>
            {
                var current = await _namespaces.RequireAsync(valid, term).ConfigureAwait(false);
                var slots = SlotTable.Expand(current.Config.Slots);
                var assigned = SlotTable.Spans(slots, static o => o is not null);
                var count = assigned.Sum(static s => s.To - s.From + 1);
                if (count > 0 && !force)
                {
                    throw OperationRefusedException.Conflict(
                        $"namespace '{valid}' still routes {count} slot(s) ({SlotTable.Describe(assigned)}) to its groups, so its clients would lose their data path; remove it anyway with --force (API: ?force=true): the redis-servers and their data stay untouched");
                }

                await _namespaces.DeleteAsync(current, term).ConfigureAwait(false);
                var last = current.Config with { Epoch = current.Config.Epoch + 1 };
                var push = await _pusher.PushAsync(new RoutePush { Namespace = last, Removed = true }, "update", term).ConfigureAwait(false);
                _logger.LogInformation("Namespace {Namespace} removed at epoch {Epoch}.", valid, last.Epoch);
                var servers = current.Config.Groups.Sum(static g => (g.Master.Length > 0 ? 1 : 0) + g.Replicas.Count);
                return new ChangeResult
                {
                    Namespace = last,
                    Removed = true,
                    Summary = $"namespace '{valid}' removed with {current.Config.Groups.Count} group(s) and {count} assigned slot(s); its {servers} server(s) keep running with their data",
                    Pushes = [push],
                };
            },
            requestAborted);
    }

    /// <summary>
    /// Run when this controller becomes leader: slots left <see cref="SlotState.Locked"/> by a leader that died
    /// between the two phases of a switch are released to their previous owner (the switch never committed).
    /// </summary>
    public Task RecoverAsync(CancellationToken requestAborted) => ChangeAsync(
        async term =>
        {
            foreach (var current in await _namespaces.ListAsync(term).ConfigureAwait(false))
            {
                var slots = SlotTable.Expand(current.Config.Slots);
                var released = 0;
                for (var slot = 0; slot < slots.Length; slot++)
                {
                    if (slots[slot] is { State: SlotState.Locked } owner)
                    {
                        slots[slot] = owner with { State = owner.Target is null ? SlotState.Online : SlotState.Migrating };
                        released++;
                    }
                }

                if (released > 0)
                {
                    var next = current.Config with { Epoch = current.Config.Epoch + 1, Slots = SlotTable.Compress(slots) };
                    await _switch.CommitAsync(current, next, "recover", term).ConfigureAwait(false);
                    _logger.LogWarning("Namespace {Namespace}: released {Count} slot(s) left locked by a previous leader (epoch {Epoch}).", current.Config.Name, released, next.Epoch);
                }
            }

            return true;
        },
        requestAborted);
}
