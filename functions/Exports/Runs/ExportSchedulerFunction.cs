using Microsoft.Azure.Functions.Worker;

namespace CleverTapSegment.Exports.Runs;

/// <summary>
/// The <c>ExportScheduler</c> timer function. The schedule is the app setting <c>Exports__SchedulerSchedule</c>
/// (6-field NCRONTAB, UTC), which must be set: the host refuses to index a timer whose setting is missing
/// (https://learn.microsoft.com/azure/azure-functions/functions-bindings-timer#ncrontab-expressions). A failed run is
/// not retried; the next occurrence runs (and a missed one runs late, <c>IsPastDue</c>, thanks to the monitor).
/// </summary>
public sealed class ExportSchedulerFunction(ExportScheduler scheduler)
{
    public const string ScheduleSetting = "Exports__SchedulerSchedule";

    [Function(ExportScheduler.FunctionName)]
    public Task RunAsync(
        [TimerTrigger("%" + ScheduleSetting + "%", RunOnStartup = false, UseMonitor = true)] TimerInfo timer,
        CancellationToken cancellationToken) =>
        scheduler.RunAsync(new TimerTrigger(timer.IsPastDue, timer.ScheduleStatus?.Last, timer.ScheduleStatus?.Next), cancellationToken);
}
