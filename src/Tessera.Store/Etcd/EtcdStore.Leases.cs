using System.Text.Json;

namespace Tessera.Store.Etcd;

public sealed partial class EtcdStore
{
    public async Task<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        StoreKeys.ValidateTtl(ttl);

        // etcd counts whole seconds; rounding up never makes a lease die earlier than asked.
        long seconds = Math.Max(1, (long)Math.Ceiling(ttl.TotalSeconds));
        byte[] body = EtcdJson.Request(w => EtcdJson.WriteInt64(w, "TTL", seconds));
        using JsonDocument answer = await PostAsync("/v3/lease/grant", body, cancellationToken).ConfigureAwait(false);
        long id = EtcdJson.Int64(answer.RootElement, "ID");
        if (id == 0)
        {
            throw new CoordinatorStoreException($"etcd granted a lease without an ID: {answer.RootElement.GetRawText()}");
        }

        return id;
    }

    public async Task<bool> KeepAliveAsync(long lease, CancellationToken cancellationToken = default)
    {
        if (lease <= 0)
        {
            return false;
        }

        // The gateway maps the keepalive stream to one request/one answer: {"result":{"ID":…,"TTL":…}}.
        // An expired or unknown lease comes back without a TTL (zero is omitted).
        byte[] body = EtcdJson.Request(w => EtcdJson.WriteInt64(w, "ID", lease));
        try
        {
            using JsonDocument answer = await PostAsync("/v3/lease/keepalive", body, cancellationToken).ConfigureAwait(false);
            JsonElement result = EtcdJson.Object(answer.RootElement, "result");
            return EtcdJson.Int64(result.ValueKind == JsonValueKind.Object ? result : answer.RootElement, "TTL") > 0;
        }
        catch (EtcdErrorException e) when (e.Code == EtcdErrorException.NotFound)
        {
            return false;
        }
    }

    public async Task RevokeLeaseAsync(long lease, CancellationToken cancellationToken = default)
    {
        if (lease <= 0)
        {
            return;
        }

        byte[] body = EtcdJson.Request(w => EtcdJson.WriteInt64(w, "ID", lease));
        try
        {
            using JsonDocument answer = await PostAsync("/v3/lease/revoke", body, cancellationToken).ConfigureAwait(false);
        }
        catch (EtcdErrorException e) when (e.Code == EtcdErrorException.NotFound)
        {
            // Already gone: revoking is idempotent.
        }
    }
}
