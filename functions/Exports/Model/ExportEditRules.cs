using CleverTapSegment.CleverTap;

namespace CleverTapSegment.Exports.Model;

/// <summary>
/// A requested change to an export (<c>PATCH /api/exports/{id}</c>); null members are left as they are.
/// <see cref="DataType"/> and <see cref="Frequency"/> exist so that asking to change them meets the rule that forbids it.
/// </summary>
public sealed record ExportPatch
{
    public string? Partner { get; init; }
    public ExportDataType? DataType { get; init; }
    public ExportFrequency? Frequency { get; init; }
    public ExportEvents? Events { get; init; }
    public string? ProfileEvent { get; init; }
    public int? EveryHours { get; init; }
    public DateOnly? StartDate { get; init; }
}

/// <summary>One edit rule: its stable name (quoted in the 409), the message, and the test.</summary>
public sealed record ExportEditRule(string Name, string Message, Func<ExportDefinition, ExportPatch, bool> IsViolatedBy)
{
    public string Describe() => $"Edit rule '{Name}': {Message}";
}

/// <summary>
/// The edit rules of CleverTap's "Edit an Export" (https://docs.clevertap.com/docs/segmentcom#edit-an-export) and
/// docs/exports-api.md, in the order they are checked; the first one violated is reported. A change to a RUNNING export is
/// allowed and applies from the next run: a run works from the work items it was fanned out into, and the next
/// run time is computed from the definition as it is when the run completes.
/// </summary>
public static class ExportEditRules
{
    public static readonly ExportEditRule OneTimeNotEditable = new("oneTimeNotEditable",
        "a one-time export cannot be edited, whatever its status; create a new export instead.",
        (export, _) => export.Frequency == ExportFrequency.OneTime);

    public static readonly ExportEditRule OnlyPendingOrRunning = new("onlyPendingOrRunning",
        "only a PENDING or RUNNING export can be edited; DONE, STOPPED and FAILED exports cannot.",
        (export, _) => !export.IsLive);

    public static readonly ExportEditRule DataTypeFixed = new("dataTypeFixed",
        "an export cannot change between events and profiles; create a new export instead.",
        (export, patch) => patch.DataType is { } dataType && dataType != export.DataType);

    public static readonly ExportEditRule FrequencyFixed = new("frequencyFixed",
        "only recurring exports can be edited, and they stay recurring.",
        (export, patch) => patch.Frequency is { } frequency && frequency != export.Frequency);

    public static IReadOnlyList<ExportEditRule> All { get; } = [OneTimeNotEditable, OnlyPendingOrRunning, DataTypeFixed, FrequencyFixed];

    public static ExportEditRule? FindViolation(ExportDefinition export, ExportPatch patch) =>
        All.FirstOrDefault(rule => rule.IsViolatedBy(export, patch));

    /// <summary>
    /// The export with <paramref name="patch"/> applied (call only when <see cref="FindViolation"/> found none). A
    /// PENDING export gets its next run time recomputed from the new schedule; a RUNNING one keeps none until its
    /// run completes.
    /// </summary>
    public static ExportDefinition Apply(ExportDefinition export, ExportPatch patch, DateTimeOffset now, TimeZoneInfo timeZone)
    {
        var recurring = export.Recurring is { } current
            ? new RecurringSchedule(patch.EveryHours ?? current.EveryHours, patch.StartDate ?? current.StartDate)
            : null;
        var updated = export with
        {
            Partner = patch.Partner ?? export.Partner,
            Events = patch.Events ?? export.Events,
            ProfileEvent = patch.ProfileEvent ?? export.ProfileEvent,
            Recurring = recurring,
            UpdatedAt = now,
        };
        if (updated.Status == ExportStatus.Pending && recurring is not null)
        {
            updated = updated with
            {
                NextRunAt = export.LastRunAt is { } lastRun
                    ? ExportSchedule.NextRunAt(lastRun, recurring.EveryHours, recurring.StartDate, timeZone)
                    : ExportSchedule.FirstRunAt(recurring.StartDate, timeZone),
            };
        }
        return updated;
    }
}
