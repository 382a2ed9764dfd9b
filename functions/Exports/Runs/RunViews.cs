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

/// <summary>One (event, project-local day) slice of a run with its progress.</summary>
public sealed record WorkItemView(
    string Event,
    DateOnly Day,
    WorkItemStatus Status,
    string? Reason,
    long Pages,
    DateTimeOffset? LastCheckpointAt,
    RunCounters Counters);

/// <summary>The upper-case wire names of the statuses (DESIGN §6.2), one table for both directions.</summary>
public static class RunStatusNames
{
    private static readonly Dictionary<RunStatus, string> RunNames = new()
    {
        [RunStatus.Running] = "RUNNING",
        [RunStatus.Done] = "DONE",
        [RunStatus.Stopped] = "STOPPED",
        [RunStatus.Failed] = "FAILED",
    };

    private static readonly Dictionary<WorkItemStatus, string> ItemNames = new()
    {
        [WorkItemStatus.Pending] = "PENDING",
        [WorkItemStatus.Running] = "RUNNING",
        [WorkItemStatus.Done] = "DONE",
        [WorkItemStatus.Skipped] = "SKIPPED",
        [WorkItemStatus.Failed] = "FAILED",
    };

    public static string ToWire(this RunStatus status) => RunNames[status];

    public static string ToWire(this WorkItemStatus status) => ItemNames[status];

    public static RunStatus ParseRunStatus(string? value) =>
        RunNames.FirstOrDefault(pair => pair.Value == value, new(RunStatus.Running, "")).Key;

    public static WorkItemStatus ParseItemStatus(string? value) =>
        ItemNames.FirstOrDefault(pair => pair.Value == value, new(WorkItemStatus.Pending, "")).Key;

    public static bool IsFinal(this WorkItemStatus status) =>
        status is WorkItemStatus.Done or WorkItemStatus.Skipped or WorkItemStatus.Failed;
}
