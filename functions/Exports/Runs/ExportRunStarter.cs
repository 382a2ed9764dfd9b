using CleverTapSegment.CleverTap;
using CleverTapSegment.Exports.Model;
using CleverTapSegment.Exports.Storage;
using Microsoft.Extensions.Options;

namespace CleverTapSegment.Exports.Runs;

/// <summary>
/// Starts runs: the <c>ExportScheduler</c> body (due exports, then a sweep of open runs for stalled items and
/// half-closed runs) and the API's "start a new one-time export now" call.
/// </summary>
public sealed class ExportRunStarter(
    RunStore runs,
    ExportStore exports,
    RunCompletion completion,
    WorkQueue workQueue,
    CleverTapAccounts accounts,
    IOptions<ExportsOptions> options,
    TimeProvider time,
    ILogger<ExportRunStarter> logger)
{
    /// <summary>Parallel queue sends when a run fans out.</summary>
    private const int FanOutParallelism = 8;

    /// <summary>Starts a run for every due export and re-enqueues stalled work items.</summary>
    public async Task StartDueRunsAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var export in await exports.QueryDueAsync(now, cancellationToken))
        {
            try
            {
                await StartRunAsync(export, now, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // One broken export must not hold up the others; the next tick tries it again.
                logger.LogError(exception, "Could not start a run of export {ExportId}", export.Id);
            }
        }
        await SweepOpenRunsAsync(now, cancellationToken);
    }

    /// <summary>Starts the export's run at once when it is due (a new one-time export), without waiting for the timer.</summary>
    public async Task StartNowIfDueAsync(string exportId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var export = await exports.GetAsync(exportId, cancellationToken);
        if (export is { Status: ExportStatus.Pending, NextRunAt: { } nextRunAt } && nextRunAt <= now)
            await StartRunAsync(export, now, cancellationToken);
    }

    private async Task StartRunAsync(ExportDefinition export, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var timeZone = accounts.Default.TimeZone;
        var plan = RunPlan.For(export, timeZone, now);
        var (run, created) = await runs.CreateRunAsync(plan.Run, plan.Items, cancellationToken);
        if (created)
            logger.LogInformation("Export {ExportId} run {RunId} created: {Start:o}..{End:o}, {Items} work items",
                export.Id, run.Id, run.WindowStart, run.WindowEnd, run.ItemCount);

        if (run.Status != RunStatus.Running)
        {
            // This window's run already finished (a crash came between closing it and updating the export).
            await completion.ApplyToExportAsync(run, cancellationToken);
            return;
        }

        // Whoever moves the export to RUNNING fans out, so the timer and the API starting it together enqueue once.
        var running = export with { Status = ExportStatus.Running, StatusReason = null, CurrentRunId = run.Id, LastRunAt = plan.RunAt, NextRunAt = null };
        if (!await exports.TryReplaceAsync(running, cancellationToken))
            return;

        var items = await runs.GetItemsAsync(run.Id, cancellationToken);
        await Parallel.ForEachAsync(items.Where(item => item.Status == WorkItemStatus.Pending),
            new ParallelOptions { MaxDegreeOfParallelism = FanOutParallelism, CancellationToken = cancellationToken },
            async (item, ct) => await workQueue.SendAsync(item.ToMessage(), cancellationToken: ct));
        if (items.Count == 0)
            await completion.CloseRunAsync(run.ExportId, run.RowKey, cancellationToken);
    }

    /// <summary>
    /// Repairs what crashes and lost messages leave behind: items with no checkpoint for <c>StalledAfterMinutes</c> are
    /// re-enqueued (a live worker checkpoints every page, so it is not touched), runs whose items are all finished
    /// are closed, and closed runs not yet written to their export are applied.
    /// </summary>
    private async Task SweepOpenRunsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var stalledAfter = options.Value.StalledAfter;
        await foreach (var run in runs.QueryOpenRunsAsync(cancellationToken))
        {
            try
            {
                if (run.Status != RunStatus.Running)
                {
                    await completion.ApplyToExportAsync(run, cancellationToken);
                    continue;
                }
                var unfinished = (await runs.GetItemsAsync(run.Id, cancellationToken)).Where(item => !item.Status.IsFinal()).ToList();
                if (unfinished.Count == 0)
                {
                    await completion.CloseRunAsync(run.ExportId, run.RowKey, cancellationToken);
                    continue;
                }
                foreach (var item in unfinished.Where(item => now - (item.LastCheckpointAt ?? run.StartedAt) >= stalledAfter))
                {
                    item.LastCheckpointAt = now;
                    if (!await runs.TryUpdateItemAsync(item, cancellationToken))
                        continue;
                    logger.LogWarning("Export {ExportId} item {Event} {Day} stalled ({Status}); re-enqueued", run.ExportId, item.EventName, item.Day, item.Status.ToWire());
                    await workQueue.SendAsync(item.ToMessage(), cancellationToken: cancellationToken);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogError(exception, "Could not sweep export {ExportId} run {RunId}", run.ExportId, run.Id);
            }
        }
    }
}
