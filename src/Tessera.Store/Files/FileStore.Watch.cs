using System.Runtime.CompilerServices;

namespace Tessera.Store.Files;

public sealed partial class FileStore
{
    public IAsyncEnumerable<StoreEvent> WatchAsync(string prefix, long? fromRevision = null, CancellationToken cancellationToken = default)
    {
        // Checked here rather than in the iterator, so a bad prefix fails at the call, not at the first MoveNext.
        StoreKeys.ValidatePrefix(prefix);
        ThrowIfDisposed();
        return WatchCoreAsync(prefix, fromRevision, cancellationToken);
    }

    /// <summary>
    /// Polls the revision counter (woken early by file notifications) and reads new change-log lines.
    /// A watcher whose history rotated away gets one reset event and continues from the present.
    /// </summary>
    private async IAsyncEnumerable<StoreEvent> WatchCoreAsync(string prefix, long? fromRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var cursor = new ChangeLogCursor(_log, fromRevision ?? ReadRevision() + 1);
        var batch = new List<StoreEvent>();
        using ChangeHint.Subscription wake = _hint.Value.Subscribe();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ThrowIfDisposed();
            await SweepIfDueAsync(cancellationToken).ConfigureAwait(false);

            // The counter is written before the log line, so "counter ≥ next" with no line yet just means
            // the writer is mid-change: look again on the next round.
            if (ReadRevision() >= cursor.NextRevision)
            {
                bool complete = cursor.TryRead(prefix, batch);
                foreach (StoreEvent change in batch)
                {
                    yield return change;
                }

                batch.Clear();
                if (!complete)
                {
                    long revision = ReadRevision();
                    cursor.MoveTo(revision + 1);
                    yield return new StoreEvent(StoreEventKind.Reset, prefix, null, revision);
                    continue;
                }
            }

            await wake.WaitAsync(_options.PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }
}
