using CleverTapSegment.Hosting;

namespace CleverTapSegment.Exports.Runs;

/// <summary>The <c>ExportScheduler</c> timer function (<c>%Exports__SchedulerSchedule%</c>, a singleton in Azure).</summary>
public sealed class ExportScheduler(ExportRunStarter starter) : ITimerTriggeredFunction
{
    public const string FunctionName = "ExportScheduler";

    public Task RunAsync(TimerTrigger trigger, CancellationToken cancellationToken) => starter.StartDueRunsAsync(cancellationToken);
}
