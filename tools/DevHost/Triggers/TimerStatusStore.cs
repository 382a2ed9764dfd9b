using System.Text.Json;
using Azure.Storage.Blobs;

namespace CleverTapSegment.DevHost.Triggers;

/// <summary>A timer's last and next occurrence, as the host's schedule monitor keeps them.</summary>
internal sealed record TimerStatus(DateTimeOffset? Last, DateTimeOffset Next, DateTimeOffset LastUpdated);

/// <summary>
/// The host's schedule monitor (<c>useMonitor</c>): each timer's <c>{Last, Next, LastUpdated}</c> in the blob
/// <c>azure-webjobs-hosts/timers/&lt;hostId&gt;/Host.Functions.&lt;name&gt;/status</c>, where the host keeps it, so an
/// occurrence missed while the app was down runs at start-up with <c>IsPastDue</c>
/// (https://learn.microsoft.com/azure/azure-functions/functions-bindings-timer#usemonitor). Storage trouble only
/// costs the catch-up: it is logged and the timer runs on.
/// </summary>
internal sealed class TimerStatusStore(BlobServiceClient blobs, string hostId, ILogger logger)
{
    public const string ContainerName = "azure-webjobs-hosts";
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _createOnce = new(1, 1);
    private bool _created;

    public static string BlobName(string hostId, string functionName) => $"timers/{hostId}/Host.Functions.{functionName}/status";

    public async Task<TimerStatus?> ReadAsync(string functionName, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = Timeout(cancellationToken);
            var blob = (await ContainerAsync(timeout.Token)).GetBlobClient(BlobName(hostId, functionName));
            if (!await blob.ExistsAsync(timeout.Token))
            {
                return null;
            }
            var content = await blob.DownloadContentAsync(timeout.Token);
            using var document = JsonDocument.Parse(content.Value.Content);
            var root = document.RootElement;
            return new TimerStatus(ReadTime(root, "Last"), ReadTime(root, "Next") ?? DateTimeOffset.MaxValue, ReadTime(root, "LastUpdated") ?? DateTimeOffset.MinValue);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Reading the schedule status of {FunctionName} failed ({Error}); a run missed while the app was down will not catch up",
                functionName, exception.Message);
            return null;
        }
    }

    public async Task WriteAsync(string functionName, TimerStatus status, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = Timeout(cancellationToken);
            var blob = (await ContainerAsync(timeout.Token)).GetBlobClient(BlobName(hostId, functionName));
            var json = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, DateTime>
            {
                ["Last"] = status.Last?.UtcDateTime ?? DateTime.MinValue,
                ["Next"] = status.Next.UtcDateTime,
                ["LastUpdated"] = status.LastUpdated.UtcDateTime,
            });
            await blob.UploadAsync(new BinaryData(json), overwrite: true, timeout.Token);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Saving the schedule status of {FunctionName} failed: {Error}", functionName, exception.Message);
        }
    }

    /// <summary>The host writes <c>0001-01-01T00:00:00</c> for a timer that never ran.</summary>
    private static DateTimeOffset? ReadTime(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.TryGetDateTime(out var time) && time != DateTime.MinValue
            ? new DateTimeOffset(DateTime.SpecifyKind(time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time, DateTimeKind.Utc))
            : null;

    private static CancellationTokenSource Timeout(CancellationToken cancellationToken)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_timeout);
        return timeout;
    }

    private async Task<BlobContainerClient> ContainerAsync(CancellationToken cancellationToken)
    {
        var container = blobs.GetBlobContainerClient(ContainerName);
        if (_created)
        {
            return container;
        }
        await _createOnce.WaitAsync(cancellationToken);
        try
        {
            if (!_created)
            {
                await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
                _created = true;
            }
            return container;
        }
        finally
        {
            _createOnce.Release();
        }
    }
}
