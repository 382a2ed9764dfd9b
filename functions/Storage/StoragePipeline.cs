using Azure.Core;
using Azure.Core.Pipeline;

namespace CleverTapSegment.Storage;

internal enum StorageService { Table, Queue }

/// <summary>Builds the one <see cref="HttpPipeline"/> per service: version, date, then the account's authentication.</summary>
internal static class StoragePipeline
{
    // Versions both Azure and Azurite 3.35 accept (Azurite rejects versions newer than its baseline without
    // --skipApiVersionCheck). https://learn.microsoft.com/rest/api/storageservices/versioning-for-the-azure-storage-services
    public const string TableVersion = "2019-02-02";
    public const string QueueVersion = "2021-12-02";

    // https://learn.microsoft.com/rest/api/storageservices/authorize-with-azure-active-directory
    public const string TokenScope = "https://storage.azure.com/.default";

    public static HttpPipeline Create(StorageAccount account, StorageService service, StorageClientOptions? options, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(account);
        var perCall = new HttpPipelinePolicy[]
        {
            new StorageVersionPolicy(service == StorageService.Table ? TableVersion : QueueVersion),
        };
        // Authentication is per retry so that every try carries a fresh date and signature or token.
        var perRetry = new List<HttpPipelinePolicy> { new StorageDatePolicy(timeProvider ?? TimeProvider.System) };
        if (account.SharedKey is { } key)
            perRetry.Add(service == StorageService.Table ? new TableSharedKeyLitePolicy(key) : new SharedKeyPolicy(key));
        else if (account.TokenCredential is { } credential)
            perRetry.Add(new BearerTokenAuthenticationPolicy(credential, TokenScope));
        else
            throw new InvalidOperationException($"The storage account {account.AccountName} has neither a shared key nor a token credential.");

        return HttpPipelineBuilder.Build(options ?? new StorageClientOptions(), perCall, perRetry.ToArray(), responseClassifier: null);
    }
}
