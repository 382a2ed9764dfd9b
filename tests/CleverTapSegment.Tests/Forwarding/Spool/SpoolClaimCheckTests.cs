using System.Text.Json;
using Azure.Storage.Blobs;
using CleverTapSegment.CleverTap;
using CleverTapSegment.Forwarding.Spool;

namespace CleverTapSegment.Tests.Forwarding.Spool;

/// <summary>Messages too large for the queue go to a blob, and the queue message only names it.</summary>
[Collection("Azurite")]
public sealed class SpoolClaimCheckTests(AzuriteFixture azurite)
{
    private static SpoolMessage Message(int records) => new(Guid.NewGuid().ToString("N"), "claimcheck", DateTimeOffset.UnixEpoch, 0,
        [.. Enumerable.Range(0, records).Select(i => new SpooledRecord($"m{i}#0",
            new UploadRecord { Type = UploadRecordType.Event, Identity = $"user-{i}", EventName = "Played", Timestamp = 1_700_000_000 + i }))]);

    private async Task<(SpoolQueue Queue, BlobContainerClient Container)> CreateAsync()
    {
        var blobs = new BlobServiceClient(azurite.ConnectionString);
        var container = blobs.GetBlobContainerClient(SpoolQueue.ClaimCheckContainer);
        await container.CreateIfNotExistsAsync();
        return (new SpoolQueue(azurite.QueueServiceClient, blobs), container);
    }

    [Theory]
    [InlineData(10, false)]
    [InlineData(2500, true)]
    public async Task A_message_over_the_queue_limit_goes_through_a_blob(int records, bool claimCheck)
    {
        var (queue, container) = await CreateAsync();
        var message = Message(records);

        await queue.SendAsync(message, TimeSpan.FromDays(6), CancellationToken.None);

        var blobName = $"claimcheck/{message.Id}-0.json";
        Assert.Equal(claimCheck, (await container.GetBlobClient(blobName).ExistsAsync()).Value);
        var stored = SpoolMessage.Parse(message.ToJson(withRecords: !claimCheck, blob: claimCheck ? blobName : null));
        var resolved = await queue.ResolveAsync(stored, CancellationToken.None);
        Assert.Equal(message.Records.Select(record => record.Key), resolved!.Records.Select(record => record.Key));

        await queue.DeleteClaimCheckAsync(resolved, CancellationToken.None);
        Assert.False((await container.GetBlobClient(blobName).ExistsAsync()).Value);
        Assert.Null(claimCheck ? await queue.ResolveAsync(stored, CancellationToken.None) : null);
    }

    [Fact]
    public void The_inline_limit_leaves_room_for_base64_in_a_64_KiB_message() =>
        Assert.True((SpoolMessage.MaxInlineBytes + 2) / 3 * 4 <= 64 * 1024);

    [Fact]
    public void A_claim_check_message_is_small() =>
        Assert.True(JsonDocument.Parse(Message(2500).ToJson(withRecords: false, blob: "a/b.json")).RootElement.GetRawText().Length < 512);
}
