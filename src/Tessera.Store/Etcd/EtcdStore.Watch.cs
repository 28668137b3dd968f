using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Tessera.Store.Etcd;

public sealed partial class EtcdStore
{
    public IAsyncEnumerable<StoreEvent> WatchAsync(string prefix, long? fromRevision = null, CancellationToken cancellationToken = default)
    {
        StoreKeys.ValidatePrefix(prefix);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return WatchCoreAsync(prefix, fromRevision, cancellationToken);
    }

    /// <summary>
    /// One streaming POST to /v3/watch at a time, reconnected (on the next endpoint if need be) from the
    /// revision after the last one delivered, so a broken stream neither loses nor repeats events.
    /// </summary>
    private async IAsyncEnumerable<StoreEvent> WatchCoreAsync(string prefix, long? fromRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // "From now" is pinned to a revision before the first stream opens, so a reconnect cannot skip
        // what happened in between.
        var state = new WatchState { Next = fromRevision is { } from ? Math.Max(1, from) : await RevisionForWatchAsync(cancellationToken).ConfigureAwait(false) + 1 };
        var batch = new List<StoreEvent>();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ObjectDisposedException.ThrowIf(_disposed, this);
            byte[] body = EtcdJson.Request(w =>
            {
                w.WriteStartObject("create_request");
                w.WriteString("key", EtcdJson.Base64(prefix));
                w.WriteString("range_end", EtcdJson.PrefixRangeEnd(prefix));
                EtcdJson.WriteInt64(w, "start_revision", state.Next);
                w.WriteEndObject();
            });

            (HttpResponseMessage? response, string? failure) = await _transport.TryOpenStreamAsync("/v3/watch", body, cancellationToken).ConfigureAwait(false);
            if (response is null)
            {
                NoteWatchFailure(failure);
                await Task.Delay(_options.WatchReconnectDelay, cancellationToken).ConfigureAwait(false);
                continue;
            }

            state.LastFailure = null;
            using (response)
            {
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), Encoding.UTF8);
                while (true)
                {
                    string? line = await ReadLineAsync(reader, state, cancellationToken).ConfigureAwait(false);
                    if (line is null)
                    {
                        break;
                    }

                    WatchOutcome outcome = ParseWatchLine(line, prefix, state, batch);
                    foreach (StoreEvent change in batch)
                    {
                        yield return change;
                    }

                    batch.Clear();
                    if (outcome == WatchOutcome.Compacted)
                    {
                        // The history asked for is gone: tell the consumer to re-list, then follow from now.
                        long revision = await RevisionForWatchAsync(cancellationToken).ConfigureAwait(false);
                        state.Next = revision + 1;
                        yield return new StoreEvent(StoreEventKind.Reset, prefix, null, revision);
                        break;
                    }

                    if (outcome == WatchOutcome.Canceled)
                    {
                        // A watch opened with a stale token is "created" and at once canceled with
                        // cancel_reason "…invalid auth token": without this a watch-only store would retry it forever.
                        _transport.ForgetTokenIf(state.LastFailure);
                        break;
                    }
                }
            }

            NoteWatchFailure(state.LastFailure ?? "the stream ended");
            await Task.Delay(_options.WatchReconnectDelay, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>How many times watches of this store had to reconnect (a member died, a stream broke).</summary>
    public long WatchReconnects => Interlocked.Read(ref _watchReconnects);

    /// <summary>Why the last watch stream broke, or null; for diagnostics.</summary>
    public string? LastWatchFailure => _lastWatchFailure;

    private void NoteWatchFailure(string? failure)
    {
        Interlocked.Increment(ref _watchReconnects);
        _lastWatchFailure = failure;
    }

    /// <summary>The current revision, retried until it can be had: a watch outlives etcd outages.</summary>
    private async Task<long> RevisionForWatchAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await CurrentRevisionAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (CoordinatorStoreException e)
            {
                NoteWatchFailure(e.Message);
            }

            await Task.Delay(_options.WatchReconnectDelay, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The next line of the stream; null when the stream ended or broke (then the watch reconnects).</summary>
    private static async Task<string?> ReadLineAsync(StreamReader reader, WatchState state, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            state.LastFailure = e.Message;
            return null;
        }
        catch (HttpRequestException e)
        {
            state.LastFailure = e.Message;
            return null;
        }
    }

    private static WatchOutcome ParseWatchLine(string line, string prefix, WatchState state, List<StoreEvent> batch)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return WatchOutcome.Continue;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            state.LastFailure = $"a watch line that is not JSON ({e.Message})";
            return WatchOutcome.Canceled;
        }

        using (document)
        {
            return ParseWatchDocument(document, line, prefix, state, batch);
        }
    }

    private static WatchOutcome ParseWatchDocument(JsonDocument document, string line, string prefix, WatchState state, List<StoreEvent> batch)
    {
        JsonElement result = EtcdJson.Object(document.RootElement, "result");
        if (result.ValueKind != JsonValueKind.Object)
        {
            // {"error":{…}}: the member gave up on the stream (stopping, lost quorum); reconnect elsewhere.
            state.LastFailure = line;
            return WatchOutcome.Canceled;
        }

        if (EtcdJson.Bool(result, "canceled"))
        {
            state.LastFailure = line;
            return EtcdJson.Int64(result, "compact_revision") > 0 ? WatchOutcome.Compacted : WatchOutcome.Canceled;
        }

        JsonElement events = EtcdJson.Object(result, "events");
        if (events.ValueKind != JsonValueKind.Array)
        {
            return WatchOutcome.Continue;
        }

        foreach (JsonElement change in events.EnumerateArray())
        {
            // PUT is enum value 0, so etcd leaves "type" out for puts.
            bool delete = change.TryGetProperty("type", out JsonElement type) && type.GetString() == "DELETE";
            StoreRecord kv = EtcdJson.ReadKeyValue(EtcdJson.Object(change, "kv"));
            if (kv.Revision >= state.Next && kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            {
                batch.Add(new StoreEvent(delete ? StoreEventKind.Delete : StoreEventKind.Put, kv.Key, delete ? null : kv.Value, kv.Revision));
            }
        }

        // Several events can share a revision (one txn, one lease expiry); they always arrive in one message.
        long last = EtcdJson.Int64(EtcdJson.Object(events[events.GetArrayLength() - 1], "kv"), "mod_revision");
        state.Next = Math.Max(state.Next, last + 1);
        return WatchOutcome.Continue;
    }

    private async Task<long> CurrentRevisionAsync(CancellationToken cancellationToken)
    {
        // A count-only range on a single key is the cheapest request that carries the header revision.
        byte[] body = EtcdJson.Request(w =>
        {
            w.WriteString("key", EtcdJson.Base64("/"));
            w.WriteBoolean("count_only", true);
        });
        using JsonDocument answer = await PostAsync("/v3/kv/range", body, cancellationToken).ConfigureAwait(false);
        return EtcdJson.HeaderRevision(answer.RootElement);
    }

    private enum WatchOutcome
    {
        Continue,
        Canceled,
        Compacted,
    }

    /// <summary>Where a watch stands; a class because async iterators cannot pass refs.</summary>
    private sealed class WatchState
    {
        public long Next { get; set; }

        /// <summary>Why the last stream ended, kept for debugging.</summary>
        public string? LastFailure { get; set; }
    }
}
