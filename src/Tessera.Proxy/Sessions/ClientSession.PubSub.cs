using Tessera.Proxy.Commands;
using Tessera.Proxy.Sessions.PubSub;
using Tessera.Resp.Keys;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions;

/// <remarks>
/// Pub/sub through the proxy. PUBLISH and SPUBLISH go to the group that owns the channel's slot, and
/// SUBSCRIBE/SSUBSCRIBE subscribe there too, so publishers and subscribers always meet. Subscriptions are the
/// session's <see cref="SessionPubSub"/>, created on its first (P|S)SUBSCRIBE (PubSub/SessionPubSub.cs).
/// </remarks>
internal sealed partial class ClientSession
{
    private SessionPubSub? _pubsub;

    /// <summary>True while a RESP2 client is in subscribed mode (only (P|S)(UN)SUBSCRIBE, PING, QUIT, RESET allowed).</summary>
    private bool InSubscribedMode => _pubsub is { Count: > 0 } && Protocol == RespProtocol.Resp2;

    private void RunPubSub(RequestFrame frame, string name, bool writes)
    {
        if (RoutesOrError() is not { } routes)
        {
            return;
        }

        switch (name)
        {
            case "subscribe":
            case "ssubscribe":
                (_pubsub ??= new SessionPubSub(this)).Subscribe(routes, frame, name);
                break;
            case "psubscribe":
                (_pubsub ??= new SessionPubSub(this)).PSubscribe(routes, frame);
                break;
            case "unsubscribe":
            case "sunsubscribe":
            case "punsubscribe":
                SessionPubSub.Unsubscribe(this, _pubsub, frame, name);
                break;
            case "publish":
            case "spublish":
                {
                    int slot = KeySlot.Of(frame.ArgSpan(1));
                    if (routes.Slots[slot] is { } group)
                    {
                        Forward(group, frame, writes);
                    }
                    else
                    {
                        ReplyError(SlotNotServed(routes, slot));
                    }

                    break;
                }

            case "pubsub|channels":
            case "pubsub|shardchannels":
                FanOutFrame(routes, frame, MergeKind.UnionArrays);
                break;
            case "pubsub|numsub":
            case "pubsub|shardnumsub":
                FanOutFrame(routes, frame, MergeKind.SumPairs);
                break;
            case "pubsub|numpat":
                // Every proxy session subscribes its patterns on every group: each group knows them all.
                FanOutFrame(routes, frame, MergeKind.MaxInteger);
                break;
            default:
                ReplyError($"ERR {name.Replace('|', ' ').ToUpperInvariant()} is not supported through Tessera");
                break;
        }
    }

    /// <summary>After a route change (start of a read pass): subscriptions follow the channels' new masters.</summary>
    private void RefreshSubscriptions() => _pubsub?.Refresh();

    private void CloseSubscriptions()
    {
        _pubsub?.Close();
        _pubsub = null;
    }
}
