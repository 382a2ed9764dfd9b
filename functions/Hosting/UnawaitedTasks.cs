using System.Collections.Concurrent;

namespace CleverTapSegment.Hosting;

/// <summary>
/// Tasks their starter does not await (an upload run off the coalescer's drain loop, a spool write, a parked slot's
/// release), kept until each ends, so a shutdown or a test can wait for what is still running.
/// </summary>
public sealed class UnawaitedTasks
{
    private readonly ConcurrentDictionary<Task, byte> _running = new();

    public void Track(Task task)
    {
        _running.TryAdd(task, 0);
        task.ContinueWith(static (done, state) => ((ConcurrentDictionary<Task, byte>)state!).TryRemove(done, out _),
            _running, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>The tasks still running now.</summary>
    public IEnumerable<Task> Running => _running.Keys;

    /// <summary>Completes when every task running now has ended.</summary>
    public Task WhenAllEndedAsync() => Task.WhenAll(_running.Keys);
}
