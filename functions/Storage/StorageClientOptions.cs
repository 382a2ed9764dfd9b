using Azure.Core;

namespace CleverTapSegment.Storage;

/// <summary>
/// Pipeline options for the Table and Queue clients. Retries (408, 429, 5xx, transport errors) come from
/// <see cref="ClientOptions.Retry"/>, never from call sites.
/// </summary>
public sealed class StorageClientOptions : ClientOptions
{
    public StorageClientOptions()
    {
        Retry.Mode = RetryMode.Exponential;
        Retry.MaxRetries = 4;
        Retry.Delay = TimeSpan.FromMilliseconds(200);
        Retry.MaxDelay = TimeSpan.FromSeconds(10);
        Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        Diagnostics.ApplicationId = "clevertap-segment";
    }
}
