using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using CleverTapSegment.Hosting;

namespace CleverTapSegment.Forwarding.Spool;

/// <summary>
/// The <c>ingest-spool</c> queue and its claim checks: a message whose JSON would exceed
/// <see cref="SpoolMessage.MaxInlineBytes"/> is written to a blob of <see cref="ClaimCheckContainer"/> first and the
/// message only names it (https://learn.microsoft.com/azure/architecture/patterns/claim-check). The registered queue
/// client Base64-encodes, the queue trigger's default messageEncoding.
/// </summary>
public sealed class SpoolQueue(QueueServiceClient queues, BlobServiceClient blobs)
{
    public const string QueueName = "ingest-spool";
    public const string ClaimCheckContainer = "ingest-spool";

    private readonly QueueClient _queue = queues.GetQueueClient(QueueName);
    private readonly BlobContainerClient _container = blobs.GetBlobContainerClient(ClaimCheckContainer);

    internal QueueClient Queue => _queue;

    /// <summary>Writes the message durably (the call returns once storage has it), visible after <paramref name="delay"/>.</summary>
    public async Task SendAsync(SpoolMessage message, TimeSpan? delay, CancellationToken cancellationToken)
    {
        using var json = PooledBuffers.Rent("spool-message");
        message.WriteJson(json);
        BinaryData content;
        if (json.Length > SpoolMessage.MaxInlineBytes)
        {
            var blobName = $"{message.Account}/{message.Id}-{message.Attempt}.json";
            json.Position = 0;
            await _container.GetBlobClient(blobName).UploadAsync(json, overwrite: true, cancellationToken);
            content = BinaryData.FromBytes(message.ToJson(withRecords: false, blob: blobName));
        }
        else
        {
            content = BinaryData.FromBytes(PooledBuffers.Written(json));
        }
        // A spooled record must outlive any outage the retention covers: never expire (-1); retention decides.
        await _queue.SendMessageAsync(content, delay, TimeSpan.FromSeconds(-1), cancellationToken);
    }

    /// <summary>The message with its records, read from its claim-check blob when it has one; null when that blob is gone.</summary>
    public async Task<SpoolMessage?> ResolveAsync(SpoolMessage message, CancellationToken cancellationToken)
    {
        if (message.Blob is null)
            return message;
        try
        {
            using var content = PooledBuffers.Rent("spool-claim-check");
            await _container.GetBlobClient(message.Blob).DownloadToAsync(content, cancellationToken);
            return SpoolMessage.Parse(PooledBuffers.Written(content).Span) with { Blob = message.Blob };
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            // Already handled by an earlier run of the same message, which deleted its blob last.
            return null;
        }
    }

    /// <summary>Deletes a handled message's claim-check blob (the message is deleted by the host after this).</summary>
    public async Task DeleteClaimCheckAsync(SpoolMessage message, CancellationToken cancellationToken)
    {
        if (message.Blob is not null)
            await _container.GetBlobClient(message.Blob).DeleteIfExistsAsync(cancellationToken: cancellationToken);
    }
}
