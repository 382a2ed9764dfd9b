using Azure;
using CleverTapSegment.CleverTap;

namespace CleverTapSegment.Exports.Model;

/// <summary>Export statuses (docs/exports-api.md; "Create New Export" and "Stop Export" in https://docs.clevertap.com/docs/segmentcom).</summary>
public enum ExportStatus { Pending, Running, Done, Stopped, Failed }

public enum ExportFrequency { OneTime, Recurring }

/// <summary>Which events an events export pulls ("Export Details" in https://docs.clevertap.com/docs/segmentcom).</summary>
public enum EventSelection { AllSystem, Engagement, Selected }

/// <summary>One-time shortcuts for common windows ("FREQUENCY" in https://docs.clevertap.com/docs/segmentcom: previous month, current month, …).</summary>
public enum OneTimePreset { Yesterday, PreviousMonth, CurrentMonth }

/// <summary>Records exported to Segment, skipped (with a reason somewhere), and failed.</summary>
public readonly record struct ExportCounters(long Exported, long Skipped, long Failed)
{
    public static ExportCounters Zero => default;

    public static ExportCounters operator +(ExportCounters left, ExportCounters right) =>
        new(left.Exported + right.Exported, left.Skipped + right.Skipped, left.Failed + right.Failed);
}

/// <summary>The event selection of an events export; <see cref="Names"/> is used only for <see cref="EventSelection.Selected"/>.</summary>
public sealed record ExportEvents(EventSelection Selection, IReadOnlyList<string> Names)
{
    /// <summary>The CleverTap event names this selection exports, in a stable order.</summary>
    public IReadOnlyList<string> Resolve() => Selection switch
    {
        EventSelection.AllSystem => EventCatalog.AllSystem,
        EventSelection.Engagement => EventCatalog.Engagement,
        _ => Names,
    };
}

/// <summary>
/// What a one-time export was asked for: a day or range (<see cref="From"/>..<see cref="To"/>, project-local days,
/// inclusive) or a <see cref="Preset"/>. The window is resolved once, at creation, and kept in
/// <see cref="ExportDefinition.OneTimeWindow"/>, so "yesterday" means the day before the export was created.
/// </summary>
public sealed record OneTimeRequest(DateOnly? From, DateOnly? To, OneTimePreset? Preset);

/// <summary>A recurring schedule: every <see cref="EveryHours"/> (4..24) project-local hours from 00:00 of <see cref="StartDate"/>.</summary>
public sealed record RecurringSchedule(int EveryHours, DateOnly StartDate);

/// <summary>
/// An export definition (docs/exports-api.md) as stored in the <c>exports</c> table. Immutable: change it with
/// <c>with</c> and write it back with <c>ExportStore.TryReplaceAsync</c> (guarded by <see cref="ETag"/>).
/// </summary>
public sealed record ExportDefinition
{
    /// <summary>Sortable newest-first and URL-safe (see <c>ExportIds</c>).</summary>
    public required string Id { get; init; }

    /// <summary>The partner's nickname.</summary>
    public required string Partner { get; init; }

    public required ExportDataType DataType { get; init; }

    /// <summary>Events export: which events. Null for a profiles export.</summary>
    public ExportEvents? Events { get; init; }

    /// <summary>Profiles export: the users who did this event in the window are exported. Null for an events export.</summary>
    public string? ProfileEvent { get; init; }

    public required ExportFrequency Frequency { get; init; }

    /// <summary>One-time export: what the user asked for. Null for a recurring export.</summary>
    public OneTimeRequest? OneTime { get; init; }

    /// <summary>One-time export: the resolved window, <c>[Start, End)</c> in UTC. Null for a recurring export.</summary>
    public ExportWindow? OneTimeWindow { get; init; }

    /// <summary>Recurring export: the schedule. Null for a one-time export.</summary>
    public RecurringSchedule? Recurring { get; init; }

    /// <summary>Output format; Segment Tracking API calls are the only one today.</summary>
    public string Format { get; init; } = ExportFormats.Segment;

    public ExportStatus Status { get; init; } = ExportStatus.Pending;

    /// <summary>Why the export is <see cref="ExportStatus.Failed"/> (or other operator-facing detail).</summary>
    public string? StatusReason { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When the last run was started (its scheduled run time). Null until the first run.</summary>
    public DateTimeOffset? LastRunAt { get; init; }

    /// <summary>End of the last run's window: the next recurring window starts here, so a late or edited run loses nothing.</summary>
    public DateTimeOffset? LastWindowEnd { get; init; }

    /// <summary>When the scheduler should start the next run; null when none is due (DONE, STOPPED, FAILED, RUNNING).</summary>
    public DateTimeOffset? NextRunAt { get; init; }

    /// <summary>The run in progress, set by the scheduler while <see cref="ExportStatus.Running"/>.</summary>
    public string? CurrentRunId { get; init; }

    /// <summary>Totals over all runs.</summary>
    public ExportCounters Counters { get; init; }

    public ETag ETag { get; init; }

    /// <summary>The CleverTap event names one run pulls: the selection for events, the profile event for profiles.</summary>
    public IReadOnlyList<string> EventNames() => DataType == ExportDataType.Profiles
        ? (ProfileEvent is null ? [] : [ProfileEvent])
        : Events?.Resolve() ?? [];

    /// <summary>PENDING or RUNNING: a partner used by a live export cannot be deleted.</summary>
    public bool IsLive => Status is ExportStatus.Pending or ExportStatus.Running;
}

public static class ExportFormats
{
    public const string Segment = "segment";
}
