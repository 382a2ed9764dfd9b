using CleverTapSegment.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CleverTapSegment.Tests.Storage;

[Collection("Azurite")]
public sealed class StorageCompositionTests(AzuriteFixture azurite)
{
    private static WebApplication Build(string? connectionString)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        if (connectionString is not null)
            builder.Configuration["AzureWebJobsStorage"] = connectionString;
        builder.AddStorage();
        return builder.Build();
    }

    [Fact]
    public async Task Start_up_fails_naming_AzureWebJobsStorage_when_it_is_missing()
    {
        await using var app = Build(connectionString: null);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());

        Assert.Contains("AzureWebJobsStorage", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registered_clients_reach_azurite_through_the_configured_connection()
    {
        await using var app = Build(azurite.ConnectionString);
        await app.StartAsync();

        var table = app.Services.GetRequiredService<TableServiceClient>().GetTableClient(azurite.UniqueTableName());
        var queue = app.Services.GetRequiredService<QueueServiceClient>().GetQueueClient(azurite.UniqueQueueName());
        await table.CreateIfNotExistsAsync();
        await queue.CreateIfNotExistsAsync();
        await table.AddEntityAsync(new TableEntity("pk", "rk"));
        await queue.SendMessageAsync("hello");

        Assert.Equal("devstoreaccount1", app.Services.GetRequiredService<StorageAccount>().AccountName);
        Assert.NotNull(await table.GetEntityIfExistsAsync("pk", "rk"));
        Assert.Single(await queue.PeekMessagesAsync(1));
        await app.StopAsync();
    }
}
