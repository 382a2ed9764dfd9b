using Azure.Data.Tables;
using Azure.Storage.Queues;
using CleverTapSegment.Storage;
using CleverTapSegment.Testing;

namespace CleverTapSegment.Tests;

/// <summary>
/// One in-memory Azurite for every test class marked <c>[Collection("Azurite")]</c>:
/// <c>[Collection("Azurite")] public sealed class MyTests(AzuriteFixture azurite)</c>.
/// Tests share the instance, so each uses its own table/queue (<see cref="AzuriteFixture.UniqueTableName"/>, <see cref="AzuriteFixture.UniqueQueueName"/>).
/// The app's own tables and queues exist from the start, as the app's start-up creates them.
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

    public TableServiceClient TableServiceClient { get; private set; } = null!;

    /// <summary>Encodes and decodes base64, as the app's client does (the queue trigger's default encoding).</summary>
    public QueueServiceClient QueueServiceClient { get; private set; } = null!;

    /// <summary>Sees messages as stored: for sending what the app would never send, and checking what it stored.</summary>
    public QueueServiceClient RawQueueServiceClient { get; private set; } = null!;

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

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteProcess.StartAsync();
        TableServiceClient = new TableServiceClient(ConnectionString);
        QueueServiceClient = new QueueServiceClient(ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        RawQueueServiceClient = new QueueServiceClient(ConnectionString);
        await StorageInitializer.CreateAllAsync(TableServiceClient, QueueServiceClient, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_azurite is not null)
            await _azurite.DisposeAsync();
    }
}
