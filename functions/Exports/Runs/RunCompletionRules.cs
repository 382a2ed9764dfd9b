using CleverTapSegment.Exports.Model;

namespace CleverTapSegment.Exports.Runs;

/// <summary>How a closed run ends.</summary>
public sealed record RunOutcome(RunStatus Status, string? Reason, RunCounters Counters);

/// <summary>
/// The completion rules of a run, pure. A run closes when every item is DONE, SKIPPED or FAILED: STOPPED
/// if its export was stopped, FAILED if an item failed the export (bad credentials), else DONE. The export then
/// becomes DONE (one-time), FAILED with the reason (one-time whose run failed), or PENDING with its next run time
/// (recurring, whatever happened: the next run may succeed once the credentials are fixed); a STOPPED export stays so.
/// </summary>
public static class RunCompletionRules
{
    /// <summary>The run's outcome, or null while an item is still PENDING or RUNNING.</summary>
    public static RunOutcome? Decide(IReadOnlyCollection<WorkItem> items, ExportStatus exportStatus, string? exportReason)
    {
        if (items.Any(item => !item.Status.IsFinal()))
            return null;
        var counters = RunCounters.Sum(items.Select(item => item.Counters));
        if (exportStatus == ExportStatus.Stopped)
            return new RunOutcome(RunStatus.Stopped, "stopped by the user", counters);
        var fatal = items.FirstOrDefault(item => item.FailsExport);
        if (fatal is not null || exportStatus == ExportStatus.Failed)
            return new RunOutcome(RunStatus.Failed, fatal?.Reason ?? exportReason ?? "failed", counters);
        var failedItems = items.Count(item => item.Status == WorkItemStatus.Failed);
        return new RunOutcome(RunStatus.Done, failedItems == 0 ? null : $"{failedItems} of {items.Count} work items failed", counters);
    }

    /// <summary>
    /// The export after its current run closed. Only call it while the export still points at the run
    /// (<see cref="ExportDefinition.CurrentRunId"/>), so applying a run twice cannot reschedule twice.
    /// </summary>
    public static ExportDefinition ApplyToExport(ExportDefinition export, ExportRun run, TimeZoneInfo projectTimeZone)
    {
        var closed = export with { CurrentRunId = null, LastWindowEnd = run.WindowEnd };
        if (export.Status == ExportStatus.Stopped)
            return closed;
        if (export.Frequency == ExportFrequency.OneTime)
        {
            return run.Status == RunStatus.Failed
                ? closed with { Status = ExportStatus.Failed, StatusReason = run.Reason, NextRunAt = null }
                : closed with { Status = ExportStatus.Done, StatusReason = null, NextRunAt = null };
        }

        // The run's window ends at its run time: the next slot after it is adjacent, and may already be due (catch-up).
        var schedule = export.Recurring!;
        return closed with
        {
            Status = ExportStatus.Pending,
            StatusReason = run.Status == RunStatus.Failed ? $"last run failed: {run.Reason}" : null,
            NextRunAt = ExportSchedule.NextRunAt(run.WindowEnd, schedule.EveryHours, schedule.StartDate, projectTimeZone),
        };
    }
}
