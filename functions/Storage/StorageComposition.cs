using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Azure;

namespace CleverTapSegment.Storage;

/// <summary>
/// Registers the Azure SDK Table, Queue and Blob clients once, from <c>AzureWebJobsStorage</c> read the way the Functions
/// host reads it, and the start-up step that creates every table and queue the app uses.
/// </summary>
public static class StorageComposition
{
    /// <summary>The Table client of <see cref="LeasedSlots"/>, with a short retry budget of its own.</summary>
    internal const string LeasedSlotsClientName = "LeasedSlots";

    /// <summary>
    /// How long a finished call's concurrency slot waits for the next call of this instance: about one call to CleverTap,
    /// so back-to-back uploads and export pages keep their slots without storage writes, and an idle instance's slots are
    /// free for the others a moment later.
    /// </summary>
    internal static readonly TimeSpan SlotHandoverWindow = TimeSpan.FromMilliseconds(100);

    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        // Read when first resolved (the storage initializer resolves it as the host starts), so a missing or bad
        // AzureWebJobsStorage fails start-up with a message naming it.
        services.AddSingleton(provider => StorageConnection.FromConfiguration(provider.GetRequiredService<IConfiguration>()));
        services.AddAzureClients(clients =>
        {
            clients.AddClient<TableServiceClient, TableClientOptions>(CreateTableServiceClient)
                .ConfigureOptions(ApplyRetries);
            // Base64 is the Functions queue trigger's default messageEncoding: what it expects us to enqueue.
            clients.AddClient<QueueServiceClient, QueueClientOptions>(CreateQueueServiceClient)
                .ConfigureOptions(options =>
                {
                    ApplyRetries(options);
                    options.MessageEncoding = QueueMessageEncoding.Base64;
                });
            // The Segment spool's claim checks: batches too large for a queue message.
            clients.AddClient<BlobServiceClient, BlobClientOptions>(CreateBlobServiceClient)
                .ConfigureOptions(ApplyRetries);
            // A slow or failing limiter must fall back to the in-process limit quickly instead of spending the
            // caller's delivery deadline on storage retries.
            clients.AddClient<TableServiceClient, TableClientOptions>(CreateTableServiceClient)
                .WithName(LeasedSlotsClientName)
                .ConfigureOptions(options =>
                {
                    ApplyRetries(options);
                    options.Retry.MaxRetries = 1;
                    options.Retry.Delay = TimeSpan.FromMilliseconds(50);
                    options.Retry.NetworkTimeout = TimeSpan.FromSeconds(3);
                });
        });
        services.AddSingleton(provider => new LeasedSlots(
            provider.GetRequiredService<IAzureClientFactory<TableServiceClient>>().CreateClient(LeasedSlotsClientName)
                .GetTableClient(LeasedSlots.DefaultTableName),
            provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<LeasedSlots>>(), SlotHandoverWindow));
        services.AddHostedService<StorageInitializer>();
        // AddAzureClients forwards the SDKs' own event logs (https://learn.microsoft.com/dotnet/azure/sdk/logging): they
        // log every request, and every expected conflict (409 creating a table that exists, 412 on a lost ETag race)
        // as a warning. Failures reach the app's code as exceptions, which it logs where it knows what they mean.
        builder.Logging.AddFilter("Azure", LogLevel.Error);
        return builder;
    }

    private static TableServiceClient CreateTableServiceClient(TableClientOptions options, IServiceProvider provider) =>
        provider.GetRequiredService<StorageConnection>().CreateTableServiceClient(options);

    private static BlobServiceClient CreateBlobServiceClient(BlobClientOptions options, IServiceProvider provider) =>
        provider.GetRequiredService<StorageConnection>().CreateBlobServiceClient(options);

    private static QueueServiceClient CreateQueueServiceClient(QueueClientOptions options, IServiceProvider provider) =>
        provider.GetRequiredService<StorageConnection>().CreateQueueServiceClient(options);

    /// <summary>Retries (408, 429, 5xx, transport errors) live in the SDK pipeline, never in call sites.</summary>
    private static void ApplyRetries(ClientOptions options)
    {
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = 4;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(10);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        options.Diagnostics.ApplicationId = "clevertap-segment";
    }
}
