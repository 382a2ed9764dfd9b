using CleverTapSegment.Storage;
using CleverTapSegment.Testing;

namespace CleverTapSegment.Tests;

/// <summary>
/// One in-memory Azurite for every test class marked <c>[Collection("Azurite")]</c>:
/// <c>[Collection("Azurite")] public sealed class MyTests(AzuriteFixture azurite)</c>.
/// Tests share the instance, so each uses its own table/queue (<see cref="AzuriteFixture.UniqueTableName"/>, <see cref="AzuriteFixture.UniqueQueueName"/>).
/// </summary>
[CollectionDefinition("Azurite")]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>;

public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteProcess? _azurite;
    private int _counter;

    private AzuriteProcess Azurite => _azurite ?? throw new InvalidOperationException("Azurite has not started.");

    /// <summary>Connection string for <c>AzureWebJobsStorage</c>.</summary>
    public string ConnectionString => Azurite.ConnectionString;

    public StorageAccount StorageAccount => Azurite.StorageAccount;

    public TableServiceClient TableServiceClient { get; private set; } = null!;

    public QueueServiceClient QueueServiceClient { get; private set; } = null!;

    /// <summary>A table name no other test uses: letters and digits, starting with <paramref name="prefix"/>.</summary>
    public string UniqueTableName(string prefix = "t") => $"{prefix}{Interlocked.Increment(ref _counter)}{Guid.NewGuid():N}"[..Math.Min(63, prefix.Length + 20)];

    /// <summary>A queue name no other test uses, short enough for its <c>-poison</c> companion.</summary>
    public string UniqueQueueName(string prefix = "q") => $"{prefix.ToLowerInvariant()}-{Interlocked.Increment(ref _counter)}-{Guid.NewGuid():N}"[..Math.Min(56, prefix.Length + 20)];

    /// <summary>A new, empty table of its own for one test.</summary>
    public async Task<TableClient> CreateTableAsync(string prefix = "t")
    {
        var table = TableServiceClient.GetTableClient(UniqueTableName(prefix));
        await table.CreateIfNotExistsAsync();
        return table;
    }

    /// <summary>A new, empty queue of its own for one test.</summary>
    public async Task<QueueClient> CreateQueueAsync(string prefix = "q")
    {
        var queue = QueueServiceClient.GetQueueClient(UniqueQueueName(prefix));
        await queue.CreateIfNotExistsAsync();
        return queue;
    }

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteProcess.StartAsync();
        TableServiceClient = new TableServiceClient(StorageAccount);
        QueueServiceClient = new QueueServiceClient(StorageAccount);
    }

    public async Task DisposeAsync()
    {
        if (_azurite is not null)
            await _azurite.DisposeAsync();
    }
}
