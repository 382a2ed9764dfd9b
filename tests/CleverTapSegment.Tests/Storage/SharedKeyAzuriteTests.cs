using Azure;
using CleverTapSegment.Storage;

namespace CleverTapSegment.Tests.Storage;

/// <summary>Azurite checks signatures, so a wrong key failing proves the right key's success is not an accident.</summary>
[Collection("Azurite")]
public sealed class SharedKeyAzuriteTests(AzuriteFixture azurite)
{
    private StorageAccount WithWrongKey() => new()
    {
        AccountName = azurite.StorageAccount.AccountName,
        TableEndpoint = azurite.StorageAccount.TableEndpoint,
        QueueEndpoint = azurite.StorageAccount.QueueEndpoint,
        SharedKey = new StorageSharedKey(azurite.StorageAccount.AccountName, Convert.ToBase64String(new byte[64])),
    };

    [Fact]
    public async Task Table_requests_signed_with_a_wrong_key_are_rejected_with_403()
    {
        var table = new TableServiceClient(WithWrongKey()).GetTableClient(azurite.UniqueTableName());

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => table.CreateIfNotExistsAsync());

        Assert.Equal(403, error.Status);
        Assert.Equal("AuthorizationFailure", error.ErrorCode);
    }

    [Fact]
    public async Task Queue_requests_signed_with_a_wrong_key_are_rejected_with_403()
    {
        var queue = new QueueServiceClient(WithWrongKey()).GetQueueClient(azurite.UniqueQueueName());

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => queue.CreateIfNotExistsAsync());

        Assert.Equal(403, error.Status);
        Assert.Equal("AuthenticationFailed", error.ErrorCode);
    }
}
