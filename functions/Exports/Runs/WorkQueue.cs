using CleverTapSegment.Storage;

namespace CleverTapSegment.Exports.Runs;

/// <summary>The <c>export-work</c> queue the <c>ExportWorker</c> function is triggered by (its function.json names it).</summary>
public sealed class WorkQueue
{
    public const string QueueName = "export-work";

    private readonly QueueClient _queue;
    private readonly OnceAsync _created;

    public WorkQueue(QueueServiceClient queues)
    {
        _queue = queues.GetQueueClient(QueueName);
        _created = new OnceAsync(() => _queue.CreateIfNotExistsAsync());
    }

    /// <summary>Enqueues a work item (base64 JSON, the queue trigger's default encoding), visible after <paramref name="delay"/>.</summary>
    public async Task SendAsync(WorkMessage message, TimeSpan? delay = null, CancellationToken cancellationToken = default)
    {
        await _created.RunAsync();
        await _queue.SendMessageAsync(message.ToJson(), delay, cancellationToken: cancellationToken);
    }
}

/// <summary>Runs an idempotent set-up step once per process, trying again on a later call if it failed (storage not up yet).</summary>
internal sealed class OnceAsync(Func<Task> step)
{
    private readonly Lock _gate = new();
    private Task? _task;

    public Task RunAsync()
    {
        lock (_gate)
        {
            if (_task is null || _task.IsFaulted || _task.IsCanceled)
                _task = step();
            return _task;
        }
    }
}
