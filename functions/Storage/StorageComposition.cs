using Azure.Core.Pipeline;

namespace CleverTapSegment.Storage;

/// <summary>Registers the storage account (read the Functions way) and the Table and Queue clients.</summary>
public static class StorageComposition
{
    internal const string HttpClientName = "Storage";

    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        // Azure.Core's pipeline owns retries and per-try timeouts. The clients live for the app's lifetime, so the
        // handler is kept and its pooled connections are recycled instead (DNS changes are still picked up).
        services.AddHttpClient(HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        services.AddSingleton(provider => StorageAccount.FromConfiguration(provider.GetRequiredService<IConfiguration>()));
        // x-ms-date must be the wall clock (the service rejects dates 15 minutes off), whatever clock the app's
        // logic runs on, so the registered TimeProvider (a fake one in tests) is deliberately not used here.
        services.AddSingleton(provider => new TableServiceClient(
            provider.GetRequiredService<StorageAccount>(), CreateOptions(provider), TimeProvider.System));
        services.AddSingleton(provider => new QueueServiceClient(
            provider.GetRequiredService<StorageAccount>(), CreateOptions(provider), TimeProvider.System));
        // Its own client with a short retry budget: a slow or failing limiter must fall back to the in-process limit
        // quickly instead of spending the caller's delivery deadline on storage retries.
        services.AddSingleton(provider => new LeasedSlots(
            new TableServiceClient(provider.GetRequiredService<StorageAccount>(), CreateLimiterOptions(provider), TimeProvider.System)
                .GetTableClient(LeasedSlots.DefaultTableName),
            provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<LeasedSlots>>()));
        // Resolving the clients when the host starts turns a missing or bad AzureWebJobsStorage into a start-up failure.
        services.AddHostedService<StorageStartupCheck>();
        return builder;
    }

    private static StorageClientOptions CreateOptions(IServiceProvider provider) => new()
    {
        Transport = new HttpClientTransport(provider.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName)),
    };

    private static StorageClientOptions CreateLimiterOptions(IServiceProvider provider)
    {
        var options = CreateOptions(provider);
        options.Retry.MaxRetries = 1;
        options.Retry.Delay = TimeSpan.FromMilliseconds(50);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(3);
        return options;
    }

    private sealed class StorageStartupCheck(TableServiceClient tables, QueueServiceClient queues) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(tables);
            GC.KeepAlive(queues);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
