using CleverTapSegment.CleverTap;
using CleverTapSegment.Exports.Model;
using CleverTapSegment.Exports.Storage;

namespace CleverTapSegment.Exports.Runs;

/// <summary>
/// Closes runs: the worker whose item finishes last finds no unfinished item, sums the items into the run and
/// closes it (an ETag-guarded write, so two last finishers cannot both close it), then writes the outcome to the
/// export. Every step is idempotent, so the scheduler's sweep repeats it for a run left half-closed by a crash.
/// </summary>
public sealed class RunCompletion(RunStore runs, ExportStore exports, CleverTapAccounts accounts, TimeProvider time, ILogger<RunCompletion> logger)
{
    /// <summary>Attempts at an ETag-guarded read-modify-write before leaving it to the next sweep.</summary>
    private const int MaxAttempts = 10;

    /// <summary>Called after an item reached DONE, SKIPPED or FAILED.</summary>
    public async Task ItemFinishedAsync(ExportRun run, CancellationToken cancellationToken)
    {
        if (await runs.HasUnfinishedItemsAsync(run.Id, cancellationToken))
            return;
        await CloseRunAsync(run.ExportId, run.RowKey, cancellationToken);
    }

    /// <summary>Closes the run if all its items are finished, then applies it to its export.</summary>
    public async Task CloseRunAsync(string exportId, string runRowKey, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var run = await runs.GetRunAsync(exportId, runRowKey, cancellationToken);
            if (run is null)
                return;
            if (run.Status != RunStatus.Running)
            {
                if (!run.AppliedToExport)
                    await ApplyToExportAsync(run, cancellationToken);
                return;
            }
            var items = await runs.GetItemsAsync(run.Id, cancellationToken);
            var export = await exports.GetAsync(exportId, cancellationToken);
            var outcome = RunCompletionRules.Decide(items,
                export?.Status ?? ExportStatus.Stopped,
                export is null ? "the export was deleted" : export.StatusReason);
            if (outcome is null)
                return;
            run.Status = outcome.Status;
            run.Reason = outcome.Reason;
            run.Counters = outcome.Counters;
            run.CompletedAt = time.GetUtcNow();
            if (await runs.TryUpdateRunAsync(run, cancellationToken))
            {
                logger.LogInformation("Export {ExportId} run {RunId} closed {Status}: {Exported} exported, {Skipped} skipped, {Failed} failed",
                    exportId, run.Id, run.Status.ToWire(), run.Counters.Exported, run.Counters.Skipped, run.Counters.Failed);
                await ApplyToExportAsync(run, cancellationToken);
                return;
            }
        }
    }

    /// <summary>
    /// Writes a closed run to its export: counters (the sum over its closed runs, so repeating this is harmless) and,
    /// if the export still points at this run, its next status. Then marks the run applied.
    /// </summary>
    public async Task ApplyToExportAsync(ExportRun run, CancellationToken cancellationToken)
    {
        var closedRuns = new List<ExportRun>();
        await foreach (var each in runs.GetRunsOfExportAsync(run.ExportId, cancellationToken))
        {
            if (each.Status != RunStatus.Running)
                closedRuns.Add(each);
        }
        var totals = closedRuns.Aggregate(ExportCounters.Zero,
            (sum, each) => sum + new ExportCounters(each.Counters.Exported, each.Counters.Skipped, each.Counters.Failed));

        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var export = await exports.GetAsync(run.ExportId, cancellationToken);
            if (export is null)
                break;
            var ownsExport = export.CurrentRunId == run.Id;
            if (!ownsExport && export.Counters == totals)
                break;
            var updated = export with { Counters = totals };
            if (ownsExport)
                updated = RunCompletionRules.ApplyToExport(updated, run, accounts.Default.TimeZone);
            if (await exports.TryReplaceAsync(updated, cancellationToken))
                break;
        }

        run.AppliedToExport = true;
        // A lost race here only means the next sweep applies it again, which changes nothing.
        await runs.TryUpdateRunAsync(run, cancellationToken);
    }
}
