// CONTRACT FILE (skeleton): the public surface the features code against. The storage work replaces every
// body here with the real REST implementation and may split this file; it must keep these signatures.
using Azure;
using Azure.Core;

namespace CleverTapSegment.Storage;

/// <summary>The storage account the app uses, read the Functions way from <c>AzureWebJobsStorage</c>.</summary>
public sealed class StorageAccount
{
    public required string AccountName { get; init; }
    public required Uri TableEndpoint { get; init; }
    public required Uri QueueEndpoint { get; init; }
    public Uri? BlobEndpoint { get; init; }
    /// <summary>Shared Key credential (Azurite, account keys); null when a token credential is used.</summary>
    public StorageSharedKey? SharedKey { get; init; }
    /// <summary>Managed identity / Entra credential; null when a shared key is used.</summary>
    public TokenCredential? TokenCredential { get; init; }

    /// <summary>Reads <c>{name}</c> (connection string, incl. <c>UseDevelopmentStorage=true</c>) or <c>{name}__*</c>.</summary>
    public static StorageAccount FromConfiguration(IConfiguration configuration, string connectionName = "AzureWebJobsStorage") => throw new NotImplementedException();

    public static StorageAccount FromConnectionString(string connectionString) => throw new NotImplementedException();
}

public sealed record StorageSharedKey(string AccountName, string AccountKey);

public enum TableUpdateMode { Merge, Replace }

/// <summary>An entity: keys, ETag, timestamp and typed properties (string, bool, int, long, double, DateTimeOffset, Guid, byte[]).</summary>
public sealed class TableEntity
{
    public TableEntity(string partitionKey, string rowKey) => throw new NotImplementedException();
    public string PartitionKey => throw new NotImplementedException();
    public string RowKey => throw new NotImplementedException();
    public ETag ETag { get; set; }
    public DateTimeOffset? Timestamp { get; set; }
    /// <summary>Gets or sets a property; setting null removes it.</summary>
    public object? this[string key] { get => throw new NotImplementedException(); set => throw new NotImplementedException(); }
    public IEnumerable<string> Keys => throw new NotImplementedException();
    public string? GetString(string key) => throw new NotImplementedException();
    public long? GetInt64(string key) => throw new NotImplementedException();
    public int? GetInt32(string key) => throw new NotImplementedException();
    public double? GetDouble(string key) => throw new NotImplementedException();
    public bool? GetBoolean(string key) => throw new NotImplementedException();
    public DateTimeOffset? GetDateTimeOffset(string key) => throw new NotImplementedException();
}

public sealed record TablePage(IReadOnlyList<TableEntity> Items, string? ContinuationToken);

/// <summary>Builds OData <c>$filter</c> text; interpolated values become escaped literals (strings quoted with '' doubling, Int64 as nL, datetime'…', guid'…', booleans).</summary>
public static class TableFilter
{
    public static string Create(FormattableString filter) => throw new NotImplementedException();
}

public sealed class TableServiceClient
{
    public TableClient GetTableClient(string tableName) => throw new NotImplementedException();
}

/// <summary>One table. Failures throw <see cref="RequestFailedException"/>; 412 means an ETag conflict, 409 an existing entity.</summary>
public sealed class TableClient
{
    public string Name => throw new NotImplementedException();
    public Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public Task<TableEntity?> GetEntityIfExistsAsync(string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    /// <summary>Inserts; 409 <c>EntityAlreadyExists</c> if present. Returns the new ETag.</summary>
    public Task<ETag> AddEntityAsync(TableEntity entity, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public Task<ETag> UpsertEntityAsync(TableEntity entity, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    /// <summary>Updates with If-Match (<see cref="ETag.All"/> for unconditional); 412 on a stale ETag.</summary>
    public Task<ETag> UpdateEntityAsync(TableEntity entity, ETag ifMatch, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    /// <summary>Deletes with If-Match; a missing entity is not an error.</summary>
    public Task DeleteEntityAsync(string partitionKey, string rowKey, ETag ifMatch = default, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    /// <summary>All matching entities, following continuation tokens.</summary>
    public IAsyncEnumerable<TableEntity> QueryAsync(string? filter = null, IEnumerable<string>? select = null, int? maxPerPage = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    /// <summary>One page; pass the previous page's token to continue.</summary>
    public Task<TablePage> QueryPageAsync(string? filter, IEnumerable<string>? select, int? top, string? continuationToken, CancellationToken cancellationToken = default) => throw new NotImplementedException();
}

public sealed class QueueServiceClient
{
    public QueueClient GetQueueClient(string queueName) => throw new NotImplementedException();
}

/// <summary>A received message. <see cref="RawText"/> is what the service stores (base64 for our producers).</summary>
public sealed record QueueMessage(string MessageId, string PopReceipt, string RawText, long DequeueCount,
    DateTimeOffset InsertedOn, DateTimeOffset ExpiresOn, DateTimeOffset NextVisibleOn)
{
    /// <summary>Decodes base64 UTF-8 text, the Functions queue trigger's default encoding.</summary>
    public bool TryDecodeText(out string text) => throw new NotImplementedException();
}

public sealed record PeekedQueueMessage(string MessageId, string RawText, long DequeueCount, DateTimeOffset InsertedOn);

public sealed record QueueSendReceipt(string MessageId, string PopReceipt, DateTimeOffset NextVisibleOn);

public sealed record QueueUpdateReceipt(string PopReceipt, DateTimeOffset NextVisibleOn);

public sealed class QueueClient
{
    public string Name => throw new NotImplementedException();
    public Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();
    /// <summary>Puts UTF-8 text base64-encoded (what the Functions queue trigger expects).</summary>
    public Task<QueueSendReceipt> SendMessageAsync(string messageText, TimeSpan? visibilityDelay = null, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    /// <summary>Puts text exactly as given (no encoding): for copying a message to its poison queue unchanged.</summary>
    public Task<QueueSendReceipt> SendRawMessageAsync(string rawText, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public Task<IReadOnlyList<QueueMessage>> ReceiveMessagesAsync(int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public Task<IReadOnlyList<PeekedQueueMessage>> PeekMessagesAsync(int maxMessages, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public Task DeleteMessageAsync(string messageId, string popReceipt, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public Task<QueueUpdateReceipt> UpdateMessageAsync(string messageId, string popReceipt, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default) => throw new NotImplementedException();
}
