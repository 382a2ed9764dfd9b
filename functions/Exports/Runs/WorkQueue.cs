using Azure.Storage.Queues;

namespace CleverTapSegment.Exports.Runs;

/// <summary>
/// The <c>export-work</c> queue the <c>ExportWorker</c> function is triggered by (its function.json names it),
/// created at start-up with the app's other queues.
/// </summary>
public sealed class WorkQueue(QueueServiceClient queues)
{
    public const string QueueName = "export-work";

    private readonly QueueClient _queue = queues.GetQueueClient(QueueName);

    /// <summary>
    /// Enqueues a work item, visible after <paramref name="delay"/>. The registered client encodes it as base64,
    /// the queue trigger's default messageEncoding.
    /// </summary>
    public async Task SendAsync(WorkMessage message, TimeSpan? delay = null, CancellationToken cancellationToken = default) =>
        await _queue.SendMessageAsync(message.ToJson(), delay, cancellationToken: cancellationToken);
}
