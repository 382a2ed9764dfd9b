using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using CleverTapSegment.Forwarding.Spool;
using CleverTapSegment.Testing;

namespace CleverTapSegment.Tests.Forwarding.Spool;

/// <summary>
/// What the stored-mode end-to-end tests share: the app in <c>stored</c> mode with short retry delays, an empty spool
/// at the start (the Azurite account and its <c>ingest-spool</c> queue are shared by the collection's tests, which run
/// one after another), and helpers to post and count.
/// </summary>
internal static class SpoolTestKit
{
    public const string AdminKey = "local-admin-key";

    public static async Task ClearSpoolAsync(AzuriteFixture azurite)
    {
        foreach (var name in new[] { SpoolQueue.QueueName, SpoolQueue.QueueName + "-poison" })
        {
            var queue = azurite.QueueServiceClient.GetQueueClient(name);
            await queue.CreateIfNotExistsAsync();
            await queue.ClearMessagesAsync();
        }
        var table = azurite.TableServiceClient.GetTableClient(DeadLetterStore.TableName);
        await table.CreateIfNotExistsAsync();
        await foreach (var entity in table.QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey"]))
            await table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey);
        var container = ClaimChecks(azurite);
        await container.CreateIfNotExistsAsync();
        await foreach (var blob in container.GetBlobsAsync())
            await container.DeleteBlobIfExistsAsync(blob.Name);
    }

    public static BlobContainerClient ClaimChecks(AzuriteFixture azurite) =>
        new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(SpoolQueue.ClaimCheckContainer);

    public static async Task<int> PoisonedAsync(AzuriteFixture azurite) =>
        (await azurite.QueueServiceClient.GetQueueClient(SpoolQueue.QueueName + "-poison").GetPropertiesAsync()).Value.ApproximateMessagesCount;

    public static WorkerAppOptions StoredMode(AzuriteFixture azurite, FakeCleverTap cleverTap, string? passcode = null)
    {
        var options = new WorkerAppOptions
        {
            Settings =
            {
                ["AzureWebJobsStorage"] = azurite.ConnectionString,
                ["CleverTap__ApiBaseUrl"] = cleverTap.BaseAddress.ToString(),
                ["CleverTap__AccountId"] = cleverTap.AccountId,
                ["CleverTap__Passcode"] = passcode ?? cleverTap.Passcode,
                ["Ingest__Acknowledge"] = "stored",
                ["Ingest__SpoolRetryDelaySeconds"] = "0.2",
                ["Ingest__SpoolMaxRetryDelaySeconds"] = "1",
                // A failed invocation (storage trouble) comes back at once.
                ["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:00:00",
            },
        };
        return options;
    }

    public static JsonArray Batch(string prefix, int count) =>
        [.. Enumerable.Range(0, count).Select(i => (JsonNode)SegmentIngestEndToEndTests.Track($"{prefix}-{i}"))];

    public static async Task<(HttpStatusCode Status, JsonNode Body)> PostAsync(HttpClient client, string path, JsonNode body)
    {
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(path, content);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    /// <summary>How often CleverTap accepted each identity that starts with <paramref name="prefix"/>.</summary>
    public static Dictionary<string, int> Delivered(FakeCleverTap cleverTap, string prefix) =>
        cleverTap.Accepted.Select(record => record["identity"]!.GetValue<string>())
            .Where(identity => identity.StartsWith(prefix, StringComparison.Ordinal))
            .GroupBy(identity => identity).ToDictionary(group => group.Key, group => group.Count());

    public static Task<bool> AllDeliveredAsync(FakeCleverTap cleverTap, string prefix, int count, TimeSpan patience) =>
        cleverTap.WaitUntilAsync(fake => Delivered(fake, prefix).Count >= count, patience);
}
