using Azure;
using Azure.Data.Tables;
using CleverTapSegment.CleverTap;
using CleverTapSegment.Exports.Model;

namespace CleverTapSegment.Exports.Runs;

/// <summary>
/// One run of an export (table <c>exportruns</c>, partition = export id, row = window start). It snapshots what
/// the run needs from the definition so an edit made while it runs applies from the next run (docs/exports-api.md, edit rules).
/// </summary>
public sealed class ExportRun
{
    public required string ExportId { get; init; }
    public required DateTimeOffset WindowStart { get; init; }
    public required DateTimeOffset WindowEnd { get; init; }
    public required ExportDataType DataType { get; init; }
    public required string Partner { get; init; }
    public required int ItemCount { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public RunStatus Status { get; set; } = RunStatus.Running;
    public string? Reason { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public RunCounters Counters { get; set; } = RunCounters.Zero;
    /// <summary>Set once the closed run's outcome is written to its export, so a crash in between is repaired by the next tick.</summary>
    public bool AppliedToExport { get; set; }
    public ETag ETag { get; set; }

    public string RowKey => RunKeys.RunRowKey(WindowStart);
    public string Id => RunKeys.RunId(ExportId, WindowStart);

    internal TableEntity ToEntity()
    {
        var entity = new TableEntity(ExportId, RowKey)
        {
            ["RunId"] = Id,
            ["WindowStart"] = WindowStart,
            ["WindowEnd"] = WindowEnd,
            ["DataType"] = WireNames.DataType.ToWire(DataType),
            ["Partner"] = Partner,
            ["ItemCount"] = ItemCount,
            ["StartedAt"] = StartedAt,
            ["Status"] = Status.ToWire(),
            ["Reason"] = Reason,
            ["CompletedAt"] = CompletedAt,
            ["AppliedToExport"] = AppliedToExport,
        };
        CounterColumns.Write(entity, Counters);
        entity.ETag = ETag;
        return entity;
    }

    internal static ExportRun FromEntity(TableEntity entity) => new()
    {
        ExportId = entity.PartitionKey,
        WindowStart = entity.GetDateTimeOffset("WindowStart") ?? default,
        WindowEnd = entity.GetDateTimeOffset("WindowEnd") ?? default,
        DataType = WireNames.DataType.Parse(entity.GetString("DataType") ?? "events"),
        Partner = entity.GetString("Partner") ?? "",
        ItemCount = entity.GetInt32("ItemCount") ?? 0,
        StartedAt = entity.GetDateTimeOffset("StartedAt") ?? default,
        Status = RunStatusNames.Run.Parse(entity.GetString("Status") ?? "RUNNING"),
        Reason = entity.GetString("Reason"),
        CompletedAt = entity.GetDateTimeOffset("CompletedAt"),
        AppliedToExport = entity.GetBoolean("AppliedToExport") ?? false,
        Counters = CounterColumns.Read(entity),
        ETag = entity.ETag,
    };
}

/// <summary>The counter columns runs and items share.</summary>
internal static class CounterColumns
{
    public static void Write(TableEntity entity, RunCounters counters)
    {
        entity["Exported"] = counters.Exported;
        entity["Skipped"] = counters.Skipped;
        entity["Failed"] = counters.Failed;
        entity["SkipReasons"] = counters.SkipReasonsJson();
    }

    public static RunCounters Read(TableEntity entity) => new(
        entity.GetInt64("Exported") ?? 0,
        entity.GetInt64("Skipped") ?? 0,
        entity.GetInt64("Failed") ?? 0,
        RunCounters.ParseSkipReasons(entity.GetString("SkipReasons")));
}
