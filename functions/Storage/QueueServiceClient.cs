using System.Text.RegularExpressions;
using Azure.Core.Pipeline;

namespace CleverTapSegment.Storage;

/// <summary>The account's Queue service: one pipeline shared by every <see cref="QueueClient"/>.</summary>
public sealed partial class QueueServiceClient
{
    private readonly HttpPipeline _pipeline;
    private readonly Uri _endpoint;

    public QueueServiceClient(StorageAccount account, StorageClientOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        _pipeline = StoragePipeline.Create(account, StorageService.Queue, options, timeProvider);
        _endpoint = account.QueueEndpoint;
    }

    /// <exception cref="ArgumentException">Not a valid queue name.</exception>
    public QueueClient GetQueueClient(string queueName)
    {
        ArgumentNullException.ThrowIfNull(queueName);
        if (!QueueName().IsMatch(queueName))
            throw new ArgumentException($"'{queueName}' is not a queue name: 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.", nameof(queueName));
        return new QueueClient(_pipeline, _endpoint, queueName);
    }

    // https://learn.microsoft.com/rest/api/storageservices/naming-queues-and-metadata#queue-names
    [GeneratedRegex("^(?=.{3,63}$)[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex QueueName();
}
