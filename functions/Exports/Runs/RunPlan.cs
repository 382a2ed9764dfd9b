using CleverTapSegment.CleverTap;
using CleverTapSegment.Exports.Model;

namespace CleverTapSegment.Exports.Runs;

/// <summary>
/// What one run of an export covers, pure: its window (the one-time window, or the recurring slot ending at the
/// due run time and starting where the last window ended) and its work items, one per (event name × project-local
/// day the window touches), because CleverTap exports per event and whole project-local days.
/// </summary>
public sealed record RunPlan(DateTimeOffset RunAt, ExportRun Run, IReadOnlyList<WorkItem> Items)
{
    public static RunPlan For(ExportDefinition export, TimeZoneInfo projectTimeZone, DateTimeOffset now)
    {
        var runAt = export.NextRunAt ?? now;
        var window = export.Frequency == ExportFrequency.OneTime
            ? export.OneTimeWindow ?? throw new InvalidOperationException($"one-time export {export.Id} has no window")
            : ExportSchedule.WindowForRunAt(runAt, export.Recurring!.EveryHours, projectTimeZone, export.LastWindowEnd);
        var days = ExportSchedule.ProjectDays(window, projectTimeZone);
        var items = export.EventNames()
            .Distinct(StringComparer.Ordinal)
            .SelectMany(_ => days, (eventName, day) => new WorkItem
            {
                ExportId = export.Id,
                RunWindowStart = window.Start,
                EventName = eventName,
                Day = day,
            })
            .ToList();
        var run = new ExportRun
        {
            ExportId = export.Id,
            WindowStart = window.Start,
            WindowEnd = window.End,
            DataType = export.DataType,
            Partner = export.Partner,
            ItemCount = items.Count,
            StartedAt = now,
        };
        return new RunPlan(runAt, run, items);
    }
}
