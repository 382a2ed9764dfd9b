using CleverTapSegment.CleverTap;
using CleverTapSegment.Exports.Model;
using CleverTapSegment.Exports.Runs;
using CleverTapSegment.Exports.Storage;

namespace CleverTapSegment.Tests.Exports.Runs;

/// <summary>Export definitions and items for the run tests.</summary>
internal static class TestExports
{
    public static readonly DateTimeOffset CreatedAt = new(2026, 11, 20, 9, 30, 0, TimeSpan.Zero);

    public static ExportDefinition OneTime(DateOnly from, DateOnly to, params string[] events) => new()
    {
        Id = ExportIds.New(CreatedAt),
        Partner = "prod-source",
        DataType = ExportDataType.Events,
        Events = new ExportEvents(EventSelection.Selected, events),
        Frequency = ExportFrequency.OneTime,
        OneTime = new OneTimeRequest(from, to, null),
        OneTimeWindow = new ExportWindow(
            new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
            new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)),
        CreatedAt = CreatedAt,
        NextRunAt = CreatedAt,
    };

    public static ExportDefinition Recurring(int everyHours, DateOnly startDate, params string[] events) => new()
    {
        Id = ExportIds.New(CreatedAt),
        Partner = "prod-source",
        DataType = ExportDataType.Events,
        Events = new ExportEvents(EventSelection.Selected, events),
        Frequency = ExportFrequency.Recurring,
        Recurring = new RecurringSchedule(everyHours, startDate),
        CreatedAt = CreatedAt,
        NextRunAt = ExportSchedule.FirstRunAt(startDate, TimeZoneInfo.Utc),
    };

    public static WorkItem Item(WorkItemStatus status, string eventName = "Charged", RunCounters? counters = null, bool failsExport = false, string? reason = null) => new()
    {
        ExportId = ExportIds.New(CreatedAt),
        RunWindowStart = CreatedAt,
        EventName = eventName,
        Day = new DateOnly(2026, 11, 1),
        Status = status,
        Counters = counters ?? RunCounters.Zero,
        FailsExport = failsExport,
        Reason = reason,
    };
}
