namespace CleverTapSegment.Exports.Runs;

/// <summary>The <c>ExportScheduler</c> timer function's work (<see cref="ExportSchedulerFunction"/>; a singleton in Azure).</summary>
public sealed class ExportScheduler(ExportRunStarter starter)
{
    public const string FunctionName = "ExportScheduler";

    public Task RunAsync(TimerTrigger trigger, CancellationToken cancellationToken) => starter.StartDueRunsAsync(cancellationToken);
}
