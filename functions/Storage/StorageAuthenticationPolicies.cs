using System.Globalization;
using Azure.Core;
using Azure.Core.Pipeline;

namespace CleverTapSegment.Storage;

/// <summary>Stamps <c>x-ms-version</c> on every request: the service behaviour the clients are written against.</summary>
internal sealed class StorageVersionPolicy(string version) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message) => message.Request.Headers.SetValue("x-ms-version", version);
}

/// <summary>Stamps <c>x-ms-date</c> on every try (a retry signs a fresh date; the service rejects ones older than 15 min).</summary>
internal sealed class StorageDatePolicy(TimeProvider timeProvider) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message) =>
        message.Request.Headers.SetValue("x-ms-date", timeProvider.GetUtcNow().ToString("r", CultureInfo.InvariantCulture));
}

/// <summary>Full Shared Key, which the Queue service needs (Azurite has no Shared Key Lite for queues).</summary>
internal sealed class SharedKeyPolicy(StorageSharedKey key) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        long contentLength = 0;
        if (request.Content is not null && !request.Content.TryComputeLength(out contentLength))
            throw new InvalidOperationException("Shared Key signing needs a request body of known length.");
        var headers = request.Headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value));
        var stringToSign = StorageSigning.SharedKeyStringToSign(request.Method.Method, request.Uri.ToUri(), headers, contentLength, key.AccountName);
        request.Headers.SetValue("Authorization", $"SharedKey {key.AccountName}:{StorageSigning.Sign(stringToSign, key.AccountKey)}");
    }
}

/// <summary>Shared Key Lite for the Table service, what Azure.Data.Tables sends too.</summary>
internal sealed class TableSharedKeyLitePolicy(StorageSharedKey key) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        if (!request.Headers.TryGetValue("x-ms-date", out var date))
            throw new InvalidOperationException("x-ms-date must be set before signing.");
        var stringToSign = StorageSigning.SharedKeyLiteTableStringToSign(date, request.Uri.ToUri(), key.AccountName);
        request.Headers.SetValue("Authorization", $"SharedKeyLite {key.AccountName}:{StorageSigning.Sign(stringToSign, key.AccountKey)}");
    }
}
