using System.Threading.Channels;

namespace Tessera.Store.Tests.Support;

/// <summary>
/// Runs a watch in the background and queues what it yields, so a test can write and then wait, with a
/// timeout, for the events it expects. Disposing cancels the watch and checks it ended by cancellation.
/// </summary>
public sealed class WatchRecorder : IAsyncDisposable
{
    private readonly Channel<StoreEvent> _events = Channel.CreateUnbounded<StoreEvent>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private readonly List<StoreEvent> _seen = [];

    public WatchRecorder(ICoordinatorStore store, string prefix, long? fromRevision)
    {
        IAsyncEnumerable<StoreEvent> watch = store.WatchAsync(prefix, fromRevision, _stop.Token);
        _pump = Task.Run(async () =>
        {
            try
            {
                await foreach (StoreEvent change in watch)
                {
                    await _events.Writer.WriteAsync(change);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // The normal end.
            }
            finally
            {
                _events.Writer.TryComplete();
            }
        });
    }

    /// <summary>The next event, failing the test (with what was seen so far) when none comes within <paramref name="timeout"/>.</summary>
    public async Task<StoreEvent> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            StoreEvent change = await _events.Reader.ReadAsync(cts.Token);
            _seen.Add(change);
            return change;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No watch event within {(timeout ?? TimeSpan.FromSeconds(10)).TotalSeconds} s; seen so far: [{string.Join(", ", _seen)}]");
        }
        catch (ChannelClosedException)
        {
            await _pump; // surfaces the watch's own exception
            throw new InvalidOperationException("The watch ended by itself; it must run until cancelled.");
        }
    }

    /// <summary>Waits <paramref name="quiet"/> and asserts nothing arrived.</summary>
    public async Task AssertNothingAsync(TimeSpan quiet)
    {
        await Task.Delay(quiet);
        Assert.False(_events.Reader.TryRead(out StoreEvent? extra), $"unexpected watch event {extra}");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Task finished = await Task.WhenAny(_pump, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.True(finished == _pump, "the watch did not stop within 10 s of being cancelled");
        await _pump;
        _stop.Dispose();
    }
}
