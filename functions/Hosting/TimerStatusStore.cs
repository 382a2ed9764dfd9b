using Azure.Data.Tables;

namespace CleverTapSegment.Hosting;

/// <summary>A timer's last and next occurrence, as the host's schedule monitor keeps them.</summary>
internal sealed record TimerStatus(DateTimeOffset? Last, DateTimeOffset Next);

/// <summary>
/// The standalone stand-in for the host's schedule monitor (<c>useMonitor</c>): the host keeps each timer's
/// <c>{Last, Next}</c> in a status blob so an occurrence missed while the app was down runs at start-up with
/// <c>IsPastDue</c> (https://learn.microsoft.com/azure/azure-functions/functions-bindings-timer#usemonitor).
/// We have no blob client, so a table (created at start-up with the app's others) holds the same two values.
/// Storage trouble only costs the catch-up: it is logged and the timer runs on.
/// </summary>
internal sealed class TimerStatusStore(TableServiceClient tables, ILogger<TimerStatusStore> logger)
{
    public const string TableName = "StandaloneTimerStatus";
    private const string PartitionKey = "timers";
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);

    public async Task<TimerStatus?> ReadAsync(string functionName, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = Timeout(cancellationToken);
            var entity = await tables.GetTableClient(TableName).GetEntityIfExistsAsync<TableEntity>(PartitionKey, functionName, cancellationToken: timeout.Token);
            return entity.HasValue && entity.Value!.GetDateTimeOffset("Next") is { } next ? new TimerStatus(entity.Value.GetDateTimeOffset("Last"), next) : null;
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
            var entity = new TableEntity(PartitionKey, functionName)
            {
                ["Next"] = status.Next,
                ["Last"] = status.Last,
            };
            await tables.GetTableClient(TableName).UpsertEntityAsync(entity, TableUpdateMode.Replace, timeout.Token);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Saving the schedule status of {FunctionName} failed: {Error}", functionName, exception.Message);
        }
    }

    private static CancellationTokenSource Timeout(CancellationToken cancellationToken)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_timeout);
        return timeout;
    }
}
