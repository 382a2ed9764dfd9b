using CleverTapSegment.Exports.Runs;
using Microsoft.Azure.Functions.Worker;

namespace CleverTapSegment.Forwarding.Spool;

/// <summary>
/// The <c>SpoolDelivery</c> queue function on <c>ingest-spool</c>. It always returns normally once it has dealt with
/// every record (delivered, dead-lettered, or re-enqueued as a new, narrower message), so the host deletes the message
/// with the pop receipt it holds. It never updates the message it runs: that would change the pop receipt and the
/// host's own delete would then fail. A throw (storage down) lets the host retry the whole message, whose delivered
/// records were remembered first (https://learn.microsoft.com/azure/azure-functions/functions-bindings-storage-queue-trigger#poison-messages).
/// </summary>
public sealed class SpoolDeliveryFunction(SpoolDelivery delivery)
{
    [Function(SpoolDelivery.FunctionName)]
    public Task RunAsync(
        [QueueTrigger(SpoolQueue.QueueName, Connection = ExportWorkerFunction.Connection)] string message,
        CancellationToken cancellationToken) =>
        delivery.RunAsync(message, cancellationToken);
}
