using Microsoft.Extensions.Options;
using NCrontab;

namespace CleverTapSegment.Exports.Runs;

/// <summary>Settings of the export runs (<c>Exports__*</c>).</summary>
public sealed class ExportsOptions
{
    public const string SectionName = "Exports";

    /// <summary>
    /// NCRONTAB (6 fields, UTC) of the <c>ExportScheduler</c> timer, whose trigger reads the same setting. Required, with
    /// no default: the Functions host resolves <c>%Exports__SchedulerSchedule%</c> from its own app settings and refuses
    /// to index the timer without it, so a default here could never reach the host. Infra and the local sample set
    /// <c>0 */15 * * * *</c>.
    /// </summary>
    public string? SchedulerSchedule { get; set; }

    /// <summary>
    /// Work per worker invocation before it hands over to a continuation message: below the host's
    /// <c>functionTimeout</c> (10 min in host.json) with room for the last page.
    /// </summary>
    public int WorkerTimeBudgetSeconds { get; set; } = 240;

    /// <summary>A work item with no checkpoint for this long is re-enqueued by the scheduler.</summary>
    public int StalledAfterMinutes { get; set; } = 20;

    /// <summary>Records per CleverTap page (<c>batch_size</c>, at most 5000: https://developer.clevertap.com/docs/get-events-api).</summary>
    public int PageSize { get; set; } = 5000;

    public TimeSpan WorkerTimeBudget => TimeSpan.FromSeconds(WorkerTimeBudgetSeconds);

    public TimeSpan StalledAfter => TimeSpan.FromMinutes(StalledAfterMinutes);
}

/// <summary>Fails start-up naming the <c>Exports__*</c> setting that is invalid.</summary>
internal sealed class ExportsOptionsValidator : IValidateOptions<ExportsOptions>
{
    /// <summary>The host stops an invocation at <c>functionTimeout</c> (host.json, 10 min): the budget must end well before.</summary>
    private const int MaxTimeBudgetSeconds = 540;

    public ValidateOptionsResult Validate(string? name, ExportsOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.SchedulerSchedule))
            failures.Add("Exports__SchedulerSchedule is required: the ExportScheduler timer's 6-field NCRONTAB schedule (e.g. '0 */15 * * * *').");
        else if (CrontabSchedule.TryParse(options.SchedulerSchedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true }) is null)
            failures.Add($"Exports__SchedulerSchedule '{options.SchedulerSchedule}' is not a 6-field NCRONTAB expression (e.g. '0 */15 * * * *').");
        if (options.WorkerTimeBudgetSeconds is < 1 or > MaxTimeBudgetSeconds)
            failures.Add($"Exports__WorkerTimeBudgetSeconds must be between 1 and {MaxTimeBudgetSeconds} (the host's functionTimeout is 10 minutes).");
        if (options.StalledAfterMinutes < 1 || options.StalledAfterMinutes * 60 <= options.WorkerTimeBudgetSeconds)
            failures.Add("Exports__StalledAfterMinutes must be at least 1 and longer than Exports__WorkerTimeBudgetSeconds, or live items look stalled.");
        if (options.PageSize is < 1 or > 5000)
            failures.Add("Exports__PageSize must be between 1 and 5000 (CleverTap's batch_size maximum).");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
