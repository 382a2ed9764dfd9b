using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;

namespace CleverTapSegment.Hosting;

/// <summary>The <c>GET /api/health</c> body.</summary>
public sealed record StorageHealthReport(string Status, string Mode, StorageServiceHealth Table, StorageServiceHealth Queue)
{
    [JsonIgnore]
    public bool Healthy => Table.Reachable && Queue.Reachable;
}

public sealed record StorageServiceHealth(bool Reachable, string Detail);

/// <summary>
/// Checks that Table and Queue storage answer, with one cheap read each under a short timeout. A 404 for the probe
/// table/queue still proves the service answered and accepted our credentials; 401/403 or no answer does not.
/// </summary>
public sealed class StorageHealthProbe(IServiceProvider services, ILogger<StorageHealthProbe> logger)
{
    private const string ProbeName = "healthprobe";
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(3);

    public async Task<StorageHealthReport> CheckAsync(string mode, CancellationToken cancellationToken)
    {
        var table = ProbeAsync("table", async token =>
        {
            var client = services.GetService<TableServiceClient>() ?? throw new StorageNotConfiguredException();
            await client.GetTableClient(ProbeName).QueryAsync<TableEntity>(maxPerPage: 1, cancellationToken: token).AsPages().FirstOrDefaultAsync(token);
        }, cancellationToken);
        var queue = ProbeAsync("queue", async token =>
        {
            var client = services.GetService<QueueServiceClient>() ?? throw new StorageNotConfiguredException();
            await client.GetQueueClient(ProbeName).PeekMessagesAsync(1, token);
        }, cancellationToken);
        var tableHealth = await table;
        var queueHealth = await queue;
        var healthy = tableHealth.Reachable && queueHealth.Reachable;
        return new StorageHealthReport(healthy ? "healthy" : "unhealthy", mode, tableHealth, queueHealth);
    }

    private async Task<StorageServiceHealth> ProbeAsync(string service, Func<CancellationToken, Task> probe, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_timeout);
        try
        {
            await probe(timeout.Token);
            return new StorageServiceHealth(true, "ok");
        }
        catch (RequestFailedException exception) when (exception.Status == StatusCodes.Status404NotFound)
        {
            return new StorageServiceHealth(true, "ok");
        }
        catch (RequestFailedException exception) when (exception.Status != 0)
        {
            logger.LogWarning("Health probe: {Service} storage answered {Status} {ErrorCode}", service, exception.Status, exception.ErrorCode);
            return new StorageServiceHealth(false, $"answered {exception.Status} {exception.ErrorCode}");
        }
        catch (StorageNotConfiguredException)
        {
            return new StorageServiceHealth(false, "storage clients are not registered");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Health probe: {Service} storage did not answer within {Timeout}", service, s_timeout);
            return new StorageServiceHealth(false, $"no answer within {s_timeout.TotalSeconds:0} s");
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Whatever the transport throws (Azure.Core wraps exhausted retries in an AggregateException), the
            // probe's answer is "unreachable", never a 500.
            logger.LogWarning("Health probe: {Service} storage unreachable: {ErrorType}: {Error}", service, exception.GetType().Name, exception.Message);
            return new StorageServiceHealth(false, "unreachable");
        }
    }

    private sealed class StorageNotConfiguredException : Exception;
}
