using System.Globalization;
using Azure;
using Azure.Data.Tables;

namespace CleverTapSegment.Exports.Runs;

/// <summary>
/// One (event name × project-local day) slice of a run (table <c>exportitems</c>, partition = run id). Its cursor
/// and counters move together in one ETag-guarded write per page, so a redelivered message replays at most one page
/// and never counts it twice.
/// </summary>
public sealed class WorkItem
{
    public required string ExportId { get; init; }
    public required DateTimeOffset RunWindowStart { get; init; }
    public required string EventName { get; init; }
    public required DateOnly Day { get; init; }
    public WorkItemStatus Status { get; set; } = WorkItemStatus.Pending;
    public string? Reason { get; set; }
    /// <summary>A FAILED item whose cause will not go away by retrying (bad credentials): it fails a one-time export.</summary>
    public bool FailsExport { get; set; }
    /// <summary>The CleverTap cursor of the next page to fetch; null before the cursor is opened.</summary>
    public string? Cursor { get; set; }
    public long Pages { get; set; }
    public RunCounters Counters { get; set; } = RunCounters.Zero;
    /// <summary>When a worker last showed progress (or, for a queued item, when its message becomes visible).</summary>
    public DateTimeOffset? LastCheckpointAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    /// <summary>Why the last attempt failed (a retried or a final one); cleared when the item makes progress again.</summary>
    public WorkItemError? LastError { get; set; }
    /// <summary>When the item's message becomes visible again for a retry or a wait; null while an attempt runs or after the end.</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }
    public ETag ETag { get; set; }

    public string RunId => RunKeys.RunId(ExportId, RunWindowStart);
    public string RunRowKey => RunKeys.RunRowKey(RunWindowStart);
    public string Key => RunKeys.ItemKey(EventName, Day);

    public WorkMessage ToMessage() => new(ExportId, RunRowKey, Key);

    internal TableEntity ToEntity()
    {
        var entity = new TableEntity(RunId, Key)
        {
            ["ExportId"] = ExportId,
            ["RunWindowStart"] = RunWindowStart,
            ["Event"] = EventName,
            ["Day"] = Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["Status"] = Status.ToWire(),
            ["Reason"] = Reason,
            ["FailsExport"] = FailsExport,
            ["Cursor"] = Cursor,
            ["Pages"] = Pages,
            ["LastCheckpointAt"] = LastCheckpointAt,
            ["StartedAt"] = StartedAt,
            ["CompletedAt"] = CompletedAt,
            ["LastErrorMessage"] = LastError?.Message,
            ["LastErrorAt"] = LastError?.At,
            ["NextAttemptAt"] = NextAttemptAt,
        };
        CounterColumns.Write(entity, Counters);
        entity.ETag = ETag;
        return entity;
    }

    internal static WorkItem FromEntity(TableEntity entity) => new()
    {
        ExportId = entity.GetString("ExportId") ?? "",
        RunWindowStart = entity.GetDateTimeOffset("RunWindowStart") ?? default,
        EventName = entity.GetString("Event") ?? "",
        Day = DateOnly.ParseExact(entity.GetString("Day") ?? "0001-01-01", "yyyy-MM-dd", CultureInfo.InvariantCulture),
        Status = RunStatusNames.Item.Parse(entity.GetString("Status") ?? "PENDING"),
        Reason = entity.GetString("Reason"),
        FailsExport = entity.GetBoolean("FailsExport") ?? false,
        Cursor = entity.GetString("Cursor"),
        Pages = entity.GetInt64("Pages") ?? 0,
        LastCheckpointAt = entity.GetDateTimeOffset("LastCheckpointAt"),
        StartedAt = entity.GetDateTimeOffset("StartedAt"),
        CompletedAt = entity.GetDateTimeOffset("CompletedAt"),
        LastError = entity.GetString("LastErrorMessage") is { } message && entity.GetDateTimeOffset("LastErrorAt") is { } at
            ? new WorkItemError(message, at)
            : null,
        NextAttemptAt = entity.GetDateTimeOffset("NextAttemptAt"),
        Counters = CounterColumns.Read(entity),
        ETag = entity.ETag,
    };

    internal WorkItemView ToView() => new(EventName, Day, Status, Reason, Pages, LastCheckpointAt, Counters, LastError, NextAttemptAt);
}

/// <summary>
/// The last failure of a work item's attempt, as a person reads it on the export detail: one line, bounded, made
/// from the app's own exception messages (which name statuses and vendors, never credentials).
/// </summary>
public sealed record WorkItemError(string Message, DateTimeOffset At)
{
    /// <summary>Table Storage allows 64 KiB per string property; a line is what the page shows.</summary>
    public const int MaxMessageLength = 500;

    public static WorkItemError Of(string message, DateTimeOffset at)
    {
        // The first line only: some SDK messages go on with request and response dumps.
        var firstLine = message.AsSpan().Trim();
        var newline = firstLine.IndexOfAny('\r', '\n');
        if (newline >= 0)
            firstLine = firstLine[..newline].TrimEnd();
        var text = firstLine.Length > MaxMessageLength ? string.Concat(firstLine[..(MaxMessageLength - 1)], "…") : firstLine.ToString();
        return new WorkItemError(text, at);
    }
}
