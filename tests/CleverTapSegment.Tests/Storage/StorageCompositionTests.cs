using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using CleverTapSegment.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

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
    public async Task Start_up_creates_every_table_and_queue_the_app_uses()
    {
        // An account of its own: the shared one already has the app's tables.
        await using var ownAzurite = await Testing.AzuriteProcess.StartAsync();
        await using var app = Build(ownAzurite.ConnectionString);

        await app.StartAsync();

        var tables = app.Services.GetRequiredService<TableServiceClient>();
        var queues = app.Services.GetRequiredService<QueueServiceClient>();
        var tableNames = await tables.QueryAsync().Select(table => table.Name).ToListAsync();
        var queueNames = await queues.GetQueuesAsync().Select(queue => queue.Name).ToListAsync();
        var containerNames = await app.Services.GetRequiredService<Azure.Storage.Blobs.BlobServiceClient>().GetBlobContainersAsync().Select(container => container.Name).ToListAsync();
        Assert.Equal(["concurrencyslots", "exportitems", "exportpartners", "exportruns", "exports", "ingestdeadletters", "ingestdelivered", "ingeststats"],
            tableNames.Order(StringComparer.Ordinal));
        Assert.Equal(["export-work", "export-work-poison", "ingest-spool", "ingest-spool-poison"], queueNames.Order(StringComparer.Ordinal));
        Assert.Equal(["ingest-spool"], containerNames);
        await app.StopAsync();
    }

    [Fact]
    public async Task Registered_clients_reach_azurite_and_queue_messages_are_base64_as_the_queue_trigger_expects()
    {
        await using var app = Build(azurite.ConnectionString);
        await app.StartAsync();

        var table = app.Services.GetRequiredService<TableServiceClient>().GetTableClient(azurite.UniqueTableName());
        var queue = app.Services.GetRequiredService<QueueServiceClient>().GetQueueClient(azurite.UniqueQueueName());
        await table.CreateIfNotExistsAsync();
        await queue.CreateIfNotExistsAsync();
        await table.AddEntityAsync(new TableEntity("pk", "rk"));
        await queue.SendMessageAsync("{\"city\":\"Zürich\"}");

        Assert.True((await table.GetEntityIfExistsAsync<TableEntity>("pk", "rk")).HasValue);
        var stored = Assert.Single((await azurite.RawQueueServiceClient.GetQueueClient(queue.Name).PeekMessagesAsync(1)).Value);
        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"city\":\"Zürich\"}")), stored.MessageText);
        await app.StopAsync();
    }

    [Fact]
    public async Task The_concurrency_slots_client_has_a_short_retry_budget_of_its_own()
    {
        await using var app = Build(azurite.ConnectionString);

        var options = app.Services.GetRequiredService<IOptionsMonitor<TableClientOptions>>();
        var slots = options.Get(StorageComposition.LeasedSlotsClientName);
        var others = options.Get("Default");

        Assert.Equal((1, TimeSpan.FromSeconds(3)), (slots.Retry.MaxRetries, slots.Retry.NetworkTimeout));
        Assert.Equal((4, TimeSpan.FromSeconds(30)), (others.Retry.MaxRetries, others.Retry.NetworkTimeout));
    }
}
