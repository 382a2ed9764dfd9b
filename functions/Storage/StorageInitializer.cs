using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using CleverTapSegment.Exports.Runs;
using CleverTapSegment.Exports.Storage;
using CleverTapSegment.Forwarding;
using CleverTapSegment.Forwarding.Spool;
using CleverTapSegment.Hosting;

namespace CleverTapSegment.Storage;

/// <summary>
/// Creates every table and queue the app uses, in this one place, as the app starts; the code that uses them
/// assumes they exist. Creating is idempotent, so every instance does it on every start. Start-up waits for the
/// first attempt (briefly: a host must start within a bounded time), so the first request finds its tables; if
/// storage does not answer yet, the app starts anyway (its health endpoint says so) and the creation is retried in
/// the background until it succeeds.
/// </summary>
internal sealed partial class StorageInitializer(TableServiceClient tables, QueueServiceClient queues, BlobServiceClient blobs, ILogger<StorageInitializer> logger) : BackgroundService
{
    public static IReadOnlyList<string> TableNames { get; } =
    [
        ExportStore.PartnersTableName,
        ExportStore.ExportsTableName,
        RunStore.RunsTableName,
        RunStore.ItemsTableName,
        DeliveredRecordLog.TableName,
        LeasedSlots.DefaultTableName,
        IngestStatsStore.TableName,
        DeadLetterStore.TableName,
    ];

    public static IReadOnlyList<string> QueueNames { get; } =
    [
        WorkQueue.QueueName,
        // Where the Functions host moves a work item that failed maxDequeueCount times.
        WorkQueue.QueueName + "-poison",
        SpoolQueue.QueueName,
        // The spool function never fails a message on purpose (it re-enqueues with a delay), but a crash loop can.
        SpoolQueue.QueueName + "-poison",
    ];

    public static IReadOnlyList<string> BlobContainerNames { get; } = [SpoolQueue.ClaimCheckContainer];

    /// <summary>Well within Flex Consumption's 30 s start-up limit; a reachable account answers in milliseconds.</summary>
    private static readonly TimeSpan s_startupWait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_retryInterval = TimeSpan.FromSeconds(15);

    private readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates whatever of <see cref="TableNames"/> and <see cref="QueueNames"/> does not exist yet.</summary>
    public static Task CreateAllAsync(TableServiceClient tables, QueueServiceClient queues, CancellationToken cancellationToken) =>
        Task.WhenAll(TableNames
            .Select(name => (Task)tables.CreateTableIfNotExistsAsync(name, cancellationToken))
            .Concat(QueueNames.Select(name => queues.GetQueueClient(name).CreateIfNotExistsAsync(cancellationToken: cancellationToken))));

    /// <summary>Also the blob containers of <see cref="BlobContainerNames"/>.</summary>
    public static Task CreateAllAsync(TableServiceClient tables, QueueServiceClient queues, BlobServiceClient blobs, CancellationToken cancellationToken) =>
        Task.WhenAll(TableNames
            .Select(name => (Task)tables.CreateTableIfNotExistsAsync(name, cancellationToken))
            .Concat(QueueNames.Select(name => queues.GetQueueClient(name).CreateIfNotExistsAsync(cancellationToken: cancellationToken)))
            .Concat(BlobContainerNames.Select(name => blobs.GetBlobContainerClient(name).CreateIfNotExistsAsync(cancellationToken: cancellationToken))));

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await base.StartAsync(cancellationToken);
        // Storage runs on real time whatever clock the app's logic uses.
        await Task.WhenAny(_firstAttempt.Task, Task.Delay(s_startupWait, cancellationToken));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                try
                {
                    await CreateAllAsync(tables, queues, blobs, stoppingToken);
                    return;
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    // Whatever the transport throws (exhausted retries arrive as an AggregateException), try again later.
                    LogCreationFailed(logger, exception, s_retryInterval);
                }
                finally
                {
                    _firstAttempt.TrySetResult();
                }
                await Task.Delay(s_retryInterval, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The app stops before storage ever answered.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Creating the app's tables and queues failed; trying again in {Interval}")]
    private static partial void LogCreationFailed(ILogger logger, Exception exception, TimeSpan interval);
}
