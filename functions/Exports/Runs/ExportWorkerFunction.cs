using System.Globalization;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker;

namespace CleverTapSegment.Exports.Runs;

/// <summary>
/// The <c>ExportWorker</c> queue function on <c>export-work</c>. Returning completes the message; a throw fails the
/// invocation, so the host makes the message visible again and moves it to <c>export-work-poison</c> after
/// host.json's <c>maxDequeueCount</c> (https://learn.microsoft.com/azure/azure-functions/functions-bindings-storage-queue-trigger#poison-messages).
/// </summary>
public sealed class ExportWorkerFunction(ExportWorker worker)
{
    public const string Connection = "AzureWebJobsStorage";

    [Function(ExportWorker.FunctionName)]
    public Task RunAsync(
        [QueueTrigger(WorkQueue.QueueName, Connection = Connection)] string message,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var metadata = context.BindingContext.BindingData;
        var trigger = new QueueTrigger(
            message,
            ReadString(metadata, "Id"),
            long.TryParse(ReadString(metadata, "DequeueCount"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var dequeueCount) ? dequeueCount : 1,
            DateTimeOffset.TryParse(ReadString(metadata, "InsertionTime"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var inserted) ? inserted : null);
        return worker.RunAsync(trigger, cancellationToken);
    }

    /// <summary>
    /// Trigger metadata arrives as the host serialized it: a plain string, or JSON text (a number, a quoted date).
    /// </summary>
    internal static string? ReadString(IReadOnlyDictionary<string, object?> metadata, string name)
    {
        if (!metadata.TryGetValue(name, out var value) || value is null)
            return null;
        var text = Convert.ToString(value, CultureInfo.InvariantCulture);
        if (text is ['"', .., '"'])
        {
            try
            {
                return JsonSerializer.Deserialize<string>(text);
            }
            catch (JsonException)
            {
                return text;
            }
        }
        return text;
    }
}
