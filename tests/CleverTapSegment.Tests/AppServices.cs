using CleverTapSegment.Exports;
using CleverTapSegment.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CleverTapSegment.Tests;

/// <summary>
/// The app's own storage-backed services (stores, queues), composed in the test process the way the worker composes
/// them and pointed at the same Azurite: end-to-end tests read and seed what the worker process stores, since its
/// services live in another process.
/// </summary>
internal static class AppServices
{
    public static ServiceProvider Create(string storageConnectionString, TimeProvider? time = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = storageConnectionString });
        if (time is not null)
            builder.Services.AddSingleton(time);
        builder.AddStorage();
        builder.AddExports();
        return builder.Services.BuildServiceProvider();
    }
}
