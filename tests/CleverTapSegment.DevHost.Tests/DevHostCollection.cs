using System.Reflection;
using CleverTapSegment.Testing;

namespace CleverTapSegment.DevHost.Tests;

/// <summary>
/// The dev host tests run one after another (each starts a worker process; the machine has two cores) against one
/// in-memory Azurite: <c>[Collection("DevHost")] public sealed class MyTests(DevHostFixture fixture)</c>.
/// </summary>
[CollectionDefinition("DevHost")]
public sealed class DevHostCollection : ICollectionFixture<DevHostFixture>;

public sealed class DevHostFixture : IAsyncLifetime
{
    private readonly object _gate = new();
    private AzuriteProcess? _azurite;
    private Task<SharedHost>? _shared;
    private int _counter;

    /// <summary>The sample worker's build output (built before this project by its ProjectReference).</summary>
    public static string SampleWorkerDirectory { get; } =
        typeof(DevHostFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "SampleWorkerDirectory").Value!;

    /// <summary>The dev host's own build output, for running its command line.</summary>
    public static string CliPath { get; } =
        typeof(DevHostFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "DevHostCliPath").Value!;

    public string StorageConnectionString => (_azurite ?? throw new InvalidOperationException("Azurite has not started.")).ConnectionString;

    /// <summary>Sends base64 messages, as the host's default <c>messageEncoding</c> expects.</summary>
    public QueueServiceClient Queues { get; private set; } = null!;

    /// <summary>Sends and peeks message text as it is stored.</summary>
    public QueueServiceClient RawQueues { get; private set; } = null!;

    public BlobServiceClient Blobs { get; private set; } = null!;

    /// <summary>A queue name no other test uses, short enough for its <c>-poison</c> companion.</summary>
    public string UniqueQueueName(string prefix) => $"{prefix}-{Interlocked.Increment(ref _counter)}-{Guid.NewGuid():N}"[..Math.Min(40, prefix.Length + 20)];

    /// <summary>
    /// Options for the sample worker: its own queue and host id (the timer status folder), storage on Azurite,
    /// a fake clock for the timers unless given one, worker logs into <paramref name="log"/>.
    /// </summary>
    public DevHostOptions Options(WorkerLog log, string queueName, TimeProvider? time = null, string tickSchedule = "0 */5 * * * *", string? appDirectory = null)
    {
        var options = new DevHostOptions
        {
            AppDirectory = appDirectory ?? SampleWorkerDirectory,
            Urls = "http://127.0.0.1:0",
            TimeProvider = time ?? new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 10, 0, 30, TimeSpan.Zero)),
            OnWorkerLog = log.Add,
        };
        options.Settings["AzureWebJobsStorage"] = StorageConnectionString;
        options.Settings["SampleQueue"] = queueName;
        options.Settings["TickSchedule"] = tickSchedule;
        options.Settings["AzureFunctionsWebHost__hostid"] = "test-" + Guid.NewGuid().ToString("N")[..20];
        // The root catch-all would answer every GET under the prefix; RootRouteTests enables it with an empty prefix.
        options.Settings[SiteDisabledSetting] = "true";
        return options;
    }

    /// <summary>Disables the sample worker's <c>Site</c> function (route <c>{*path}</c>) unless a test sets it to "false".</summary>
    public const string SiteDisabledSetting = "AzureWebJobs.Site.Disabled";

    /// <summary>One host for the tests that only read (HTTP routing, admin API), started on first use.</summary>
    public Task<SharedHost> SharedHostAsync()
    {
        lock (_gate)
        {
            return _shared ??= StartSharedAsync();
        }
    }

    private async Task<SharedHost> StartSharedAsync()
    {
        var log = new WorkerLog();
        var host = await DevHostServer.StartAsync(Options(log, UniqueQueueName("shared")));
        return new SharedHost(host, log);
    }

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteProcess.StartAsync();
        Queues = new QueueServiceClient(_azurite.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        RawQueues = new QueueServiceClient(_azurite.ConnectionString);
        Blobs = new BlobServiceClient(_azurite.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        if (_shared is { IsCompletedSuccessfully: true } shared)
        {
            await shared.Result.Host.DisposeAsync();
        }
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}

public sealed record SharedHost(DevHostServer Host, WorkerLog Log);
