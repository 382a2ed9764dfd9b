using Azure;
using Azure.Data.Tables;
using CleverTapSegment.Storage;

namespace CleverTapSegment.Exports.Runs;

/// <summary>
/// Runs (<c>exportruns</c>) and their work items (<c>exportitems</c>) in Table Storage. Every update is guarded
/// by the entity's ETag: the <c>TryUpdate…</c> methods answer false when someone else wrote first. The tables are
/// created at start-up (<see cref="StorageInitializer"/>).
/// </summary>
public sealed class RunStore
{
    public const string RunsTableName = "exportruns";
    public const string ItemsTableName = "exportitems";

    /// <summary>How many runs <see cref="GetRunsAsync"/> shows: a recurring export accumulates thousands.</summary>
    public const int RunsShown = 20;

    /// <summary>Parallel writes when a run fans out (hundreds of items for a 60-day range of all system events).</summary>
    private const int FanOutParallelism = 8;

    private readonly TableClient _runs;
    private readonly TableClient _items;

    public RunStore(TableServiceClient tables)
    {
        _runs = tables.GetTableClient(RunsTableName);
        _items = tables.GetTableClient(ItemsTableName);
    }

    /// <summary>The newest runs of an export with their items and counters, newest first.</summary>
    public async Task<IReadOnlyList<ExportRunView>> GetRunsAsync(string exportId, CancellationToken cancellationToken = default)
    {
        var runs = new List<ExportRun>();
        await foreach (var run in GetRunsOfExportAsync(exportId, cancellationToken))
            runs.Add(run);
        var newest = runs.OrderByDescending(run => run.WindowStart).Take(RunsShown).ToList();
        var views = new ExportRunView[newest.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, newest.Count),
            new ParallelOptions { MaxDegreeOfParallelism = FanOutParallelism, CancellationToken = cancellationToken },
            async (index, ct) =>
            {
                var run = newest[index];
                var items = await GetItemsAsync(run.Id, ct);
                // A running run shows live progress: its counters so far are the sum of its items'.
                var counters = run.Status == RunStatus.Running ? RunCounters.Sum(items.Select(item => item.Counters)) : run.Counters;
                views[index] = new ExportRunView(run.Id, run.WindowStart, run.WindowEnd, run.Status, run.Reason,
                    run.StartedAt, run.CompletedAt, counters,
                    items.OrderBy(item => item.Day).ThenBy(item => item.EventName, StringComparer.Ordinal).Select(item => item.ToView()).ToList());
            });
        return views;
    }

    public async IAsyncEnumerable<ExportRun> GetRunsOfExportAsync(string exportId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var entity in _runs.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {exportId}"), cancellationToken: cancellationToken))
            yield return ExportRun.FromEntity(entity);
    }

    public async Task<ExportRun?> GetRunAsync(string exportId, string runRowKey, CancellationToken cancellationToken = default)
    {
        var entity = await _runs.GetEntityIfExistsAsync<TableEntity>(exportId, runRowKey, cancellationToken: cancellationToken);
        return entity.HasValue ? ExportRun.FromEntity(entity.Value!) : null;
    }

    /// <summary>
    /// Writes a new run and its items, or finds the one already there (same export and window start). Items are
    /// written before the run, so a run that exists always has all its items even if a previous attempt crashed.
    /// </summary>
    public async Task<(ExportRun Run, bool Created)> CreateRunAsync(ExportRun run, IReadOnlyList<WorkItem> items, CancellationToken cancellationToken = default)
    {
        var existing = await GetRunAsync(run.ExportId, run.RowKey, cancellationToken);
        if (existing is not null)
            return (existing, false);
        await Parallel.ForEachAsync(items,
            new ParallelOptions { MaxDegreeOfParallelism = FanOutParallelism, CancellationToken = cancellationToken },
            async (item, ct) =>
            {
                try
                {
                    item.ETag = (await _items.AddEntityAsync(item.ToEntity(), ct)).WrittenETag();
                }
                catch (RequestFailedException exception) when (exception.Status == 409)
                {
                    // Left by an attempt that crashed before writing the run: the same key means the same slice.
                    var stored = await _items.GetEntityIfExistsAsync<TableEntity>(item.RunId, item.Key, cancellationToken: ct);
                    if (stored.HasValue)
                        item.ETag = stored.Value!.ETag;
                }
            });
        try
        {
            run.ETag = (await _runs.AddEntityAsync(run.ToEntity(), cancellationToken)).WrittenETag();
            return (run, true);
        }
        catch (RequestFailedException exception) when (exception.Status == 409)
        {
            return (await GetRunAsync(run.ExportId, run.RowKey, cancellationToken) ?? run, false);
        }
    }

    public async Task<bool> TryUpdateRunAsync(ExportRun run, CancellationToken cancellationToken = default)
    {
        try
        {
            run.ETag = (await _runs.UpdateEntityAsync(run.ToEntity(), run.ETag, TableUpdateMode.Replace, cancellationToken)).WrittenETag();
            return true;
        }
        catch (RequestFailedException exception) when (exception.Status is 412 or 404)
        {
            return false;
        }
    }

    /// <summary>Runs still in progress, across all exports: what the scheduler's stall sweep looks at.</summary>
    public async IAsyncEnumerable<ExportRun> QueryOpenRunsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var running = RunStatus.Running.ToWire();
        var filter = TableClient.CreateQueryFilter($"Status eq {running} or AppliedToExport eq {false}");
        await foreach (var entity in _runs.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            yield return ExportRun.FromEntity(entity);
    }

    public async Task<WorkItem?> GetItemAsync(string runId, string itemKey, CancellationToken cancellationToken = default)
    {
        var entity = await _items.GetEntityIfExistsAsync<TableEntity>(runId, itemKey, cancellationToken: cancellationToken);
        return entity.HasValue ? WorkItem.FromEntity(entity.Value!) : null;
    }

    public async Task<IReadOnlyList<WorkItem>> GetItemsAsync(string runId, CancellationToken cancellationToken = default)
    {
        var items = new List<WorkItem>();
        await foreach (var entity in _items.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {runId}"), cancellationToken: cancellationToken))
            items.Add(WorkItem.FromEntity(entity));
        return items;
    }

    /// <summary>Whether any item of the run is still PENDING or RUNNING: the question the last finisher asks.</summary>
    public async Task<bool> HasUnfinishedItemsAsync(string runId, CancellationToken cancellationToken = default)
    {
        string pending = WorkItemStatus.Pending.ToWire(), running = WorkItemStatus.Running.ToWire();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {runId} and (Status eq {pending} or Status eq {running})");
        // A filtered page may come back empty with a continuation token (the service stopped scanning): the
        // enumeration follows it.
        await foreach (var _ in _items.QueryAsync<TableEntity>(filter, maxPerPage: 1, select: ["Status"], cancellationToken: cancellationToken))
            return true;
        return false;
    }

    public async Task<bool> TryUpdateItemAsync(WorkItem item, CancellationToken cancellationToken = default)
    {
        try
        {
            item.ETag = (await _items.UpdateEntityAsync(item.ToEntity(), item.ETag, TableUpdateMode.Replace, cancellationToken)).WrittenETag();
            return true;
        }
        catch (RequestFailedException exception) when (exception.Status is 412 or 404)
        {
            return false;
        }
    }
}
