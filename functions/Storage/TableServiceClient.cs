using Azure.Core.Pipeline;

namespace CleverTapSegment.Storage;

/// <summary>The account's Table service: one pipeline shared by every <see cref="TableClient"/>.</summary>
public sealed class TableServiceClient
{
    private readonly HttpPipeline _pipeline;
    private readonly Uri _endpoint;

    public TableServiceClient(StorageAccount account, StorageClientOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        _pipeline = StoragePipeline.Create(account, StorageService.Table, options, timeProvider);
        _endpoint = account.TableEndpoint;
    }

    /// <exception cref="ArgumentException">Not a valid table name.</exception>
    public TableClient GetTableClient(string tableName)
    {
        TableKeys.ValidateTableName(tableName);
        return new TableClient(_pipeline, _endpoint, tableName);
    }
}
