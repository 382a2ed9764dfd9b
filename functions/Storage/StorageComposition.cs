using Azure.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CleverTapSegment.Storage;

/// <summary>Registers the storage account (read the Functions way) and the Table and Queue clients.</summary>
public static class StorageComposition
{
    internal const string HttpClientName = "Storage";

    public static WebApplicationBuilder AddStorage(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        // Azure.Core's pipeline owns retries; the factory only supplies pooled handlers (DNS refresh, socket reuse).
        services.AddHttpClient(HttpClientName);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(provider => StorageAccount.FromConfiguration(provider.GetRequiredService<IConfiguration>()));
        services.AddSingleton(provider => new TableServiceClient(
            provider.GetRequiredService<StorageAccount>(), CreateOptions(provider), provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider => new QueueServiceClient(
            provider.GetRequiredService<StorageAccount>(), CreateOptions(provider), provider.GetRequiredService<TimeProvider>()));
        // Resolving the clients when the host starts turns a missing or bad AzureWebJobsStorage into a start-up failure.
        services.AddHostedService<StorageStartupCheck>();
        return builder;
    }

    private static StorageClientOptions CreateOptions(IServiceProvider provider) => new()
    {
        Transport = new HttpClientTransport(provider.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName)),
    };

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
