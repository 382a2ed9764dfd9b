using System.Text.Json;
using CleverTapSegment.DevHost.Rpc;
using CleverTapSegment.DevHost.Worker;
using NCrontab;

namespace CleverTapSegment.DevHost.Triggers;

/// <summary>
/// One timer function: fires on its NCRONTAB occurrences in UTC, one run at a time (the host's timer is a
/// singleton), on the injected <see cref="TimeProvider"/>. When the scheduler wakes after a later occurrence has
/// also passed (machine asleep, a run that overran), the missed occurrences collapse into one run with
/// <c>IsPastDue = true</c>; with a schedule monitor, so does an occurrence missed while the app was down.
/// Failures are logged and not retried, as the host does
/// (https://learn.microsoft.com/azure/azure-functions/functions-bindings-timer#usage).
/// </summary>
internal sealed class TimerTriggerScheduler(
    string functionName,
    string bindingName,
    CrontabSchedule schedule,
    bool runOnStartup,
    TimerStatusStore? statusStore,
    FunctionInvoker invoker,
    TriggerMonitor monitor,
    TimeProvider timeProvider,
    ILogger logger)
{
    // Task.Delay takes at most ~49 days; far occurrences are waited for in steps.
    private static readonly TimeSpan s_longestWait = TimeSpan.FromDays(1);

    private readonly SemaphoreSlim _oneRunAtATime = new(1, 1);
    private DateTimeOffset? _lastRun;

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            var last = timeProvider.GetUtcNow();
            var status = statusStore is null ? null : await statusStore.ReadAsync(functionName, stoppingToken);
            _lastRun = status?.Last;
            // The host checks the monitor first and runs on startup only when nothing was past due.
            if (status is not null && status.Next <= last)
            {
                await InvokeAsync(isPastDue: true, occurrence: last, stoppingToken);
            }
            else if (runOnStartup)
            {
                await InvokeAsync(isPastDue: false, occurrence: last, stoppingToken);
            }
            while (!stoppingToken.IsCancellationRequested)
            {
                var next = NextAfter(last);
                if (statusStore is not null)
                {
                    await statusStore.WriteAsync(functionName, new TimerStatus(_lastRun, next, timeProvider.GetUtcNow()), stoppingToken);
                }
                var armed = false;
                for (var wait = next - timeProvider.GetUtcNow(); wait > TimeSpan.Zero; wait = next - timeProvider.GetUtcNow())
                {
                    var delay = Task.Delay(wait < s_longestWait ? wait : s_longestWait, timeProvider, stoppingToken);
                    if (!armed)
                    {
                        // Only once the delay's timer exists: a test may move its clock as soon as it hears this.
                        monitor.ReportTimerArmed(functionName, next);
                        armed = true;
                    }
                    await delay;
                }
                monitor.ReportTimerArmed(functionName, null);

                var now = timeProvider.GetUtcNow();
                var isPastDue = now >= NextAfter(next);
                last = isPastDue ? now : next;
                await InvokeAsync(isPastDue, last, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    public Task<FunctionInvocationResult> FireNowAsync(CancellationToken cancellationToken) =>
        InvokeAsync(isPastDue: false, occurrence: timeProvider.GetUtcNow(), cancellationToken);

    private async Task<FunctionInvocationResult> InvokeAsync(bool isPastDue, DateTimeOffset occurrence, CancellationToken cancellationToken)
    {
        await _oneRunAtATime.WaitAsync(cancellationToken);
        try
        {
            var next = NextAfter(occurrence);
            var timerInfo = BuildTimerInfo(isPastDue, _lastRun, next);
            var result = await invoker.InvokeAsync(functionName, "Timer fired at " + timeProvider.GetUtcNow().ToString("O"),
                request => request.InputData.Add(new ParameterBinding { Name = bindingName, Data = new TypedData { Json = timerInfo } }),
                cancellationToken);
            _lastRun = occurrence;
            if (!result.Succeeded)
            {
                logger.LogError("Timer {FunctionName} failed ({Error}); the next run is at {Next:O}", functionName, result.Error, next);
            }
            monitor.Report(new TriggerInvocation(functionName, null, null, null, isPastDue,
                result.Succeeded ? TriggerOutcome.Succeeded : result.WorkerLost ? TriggerOutcome.WorkerLost : TriggerOutcome.Failed,
                timeProvider.GetUtcNow()));
            return result;
        }
        finally
        {
            _oneRunAtATime.Release();
        }
    }

    private DateTimeOffset NextAfter(DateTimeOffset instant) =>
        new(DateTime.SpecifyKind(schedule.GetNextOccurrence(instant.UtcDateTime), DateTimeKind.Utc));

    /// <summary>
    /// The host's TimerInfo JSON: <c>{Schedule {AdjustForDST}, ScheduleStatus {Last, Next, LastUpdated}, IsPastDue}</c>;
    /// <c>Last</c> is <c>0001-01-01T00:00:00</c> before the first run, as the host writes it.
    /// </summary>
    private string BuildTimerInfo(bool isPastDue, DateTimeOffset? last, DateTimeOffset next) =>
        JsonSerializer.Serialize(new
        {
            Schedule = new { AdjustForDST = true },
            ScheduleStatus = new
            {
                Last = last?.UtcDateTime ?? DateTime.MinValue,
                Next = next.UtcDateTime,
                LastUpdated = timeProvider.GetUtcNow().UtcDateTime,
            },
            IsPastDue = isPastDue,
        });
}
