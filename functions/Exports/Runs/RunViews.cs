using CleverTapSegment.Exports.Model;

namespace CleverTapSegment.Exports.Runs;

/// <summary>A run's status: <c>RUNNING</c> until its last work item finishes, then closed.</summary>
public enum RunStatus { Running, Done, Stopped, Failed }

/// <summary>A work item's status. SKIPPED and FAILED carry a reason.</summary>
public enum WorkItemStatus { Pending, Running, Done, Skipped, Failed }

/// <summary>One run of an export as <c>GET /api/exports/{id}</c> shows it: window, status, counters and its items.</summary>
public sealed record ExportRunView(
    string Id,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    RunStatus Status,
    string? Reason,
    DateTimeOffset StartedAt,
    DateTimeOffset? CompletedAt,
    RunCounters Counters,
    IReadOnlyList<WorkItemView> Items);

/// <summary>
/// One (event, project-local day) slice of a run with its progress, the last failed attempt's error and when the
/// next attempt is due.
/// </summary>
public sealed record WorkItemView(
    string Event,
    DateOnly Day,
    WorkItemStatus Status,
    string? Reason,
    long Pages,
    DateTimeOffset? LastCheckpointAt,
    RunCounters Counters,
    WorkItemError? LastError = null,
    DateTimeOffset? NextAttemptAt = null);

/// <summary>The upper-case wire names of run and item statuses (docs/exports-api.md), for the API and storage alike.</summary>
public static class RunStatusNames
{
    public static WireNameTable<RunStatus> Run { get; } = new(
    [
        (RunStatus.Running, "RUNNING"),
        (RunStatus.Done, "DONE"),
        (RunStatus.Stopped, "STOPPED"),
        (RunStatus.Failed, "FAILED"),
    ]);

    public static WireNameTable<WorkItemStatus> Item { get; } = new(
    [
        (WorkItemStatus.Pending, "PENDING"),
        (WorkItemStatus.Running, "RUNNING"),
        (WorkItemStatus.Done, "DONE"),
        (WorkItemStatus.Skipped, "SKIPPED"),
        (WorkItemStatus.Failed, "FAILED"),
    ]);

    public static string ToWire(this RunStatus status) => Run.ToWire(status);

    public static string ToWire(this WorkItemStatus status) => Item.ToWire(status);

    public static bool IsFinal(this WorkItemStatus status) =>
        status is WorkItemStatus.Done or WorkItemStatus.Skipped or WorkItemStatus.Failed;
}
