using System.Text.Json;
using NCrontab;

namespace CleverTapSegment.Hosting;

/// <summary>
/// One timer function in standalone mode: fires on its NCRONTAB occurrences in UTC, one run at a time (the host's
/// timer is a singleton), on the injected <see cref="TimeProvider"/>. When the runner wakes after a later occurrence
/// has also passed (machine asleep, a run that overran), the missed occurrences collapse into one run with
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
    FunctionDispatcher dispatcher,
    TriggerRunnerMonitor monitor,
    TimeProvider timeProvider,
    ILogger<TimerTriggerScheduler> logger)
{
    // Task.Delay takes at most ~49 days; far occurrences are waited for in steps.
    private static readonly TimeSpan s_longestWait = TimeSpan.FromDays(1);

    private readonly SemaphoreSlim _oneRunAtATime = new(1, 1);
    private DateTimeOffset? _lastRun;
    private DateTimeOffset? _nextRun;

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
                _nextRun = next;
                if (statusStore is not null)
                {
                    await statusStore.WriteAsync(functionName, new TimerStatus(_lastRun, next), stoppingToken);
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
            var envelope = BuildEnvelope(isPastDue, _lastRun, next);
            var result = await dispatcher.InvokeAsync(functionName, envelope, invocationId: null, cancellationToken);
            _lastRun = occurrence;
            _nextRun = next;
            if (!result.Succeeded)
            {
                logger.LogError("Timer {FunctionName} failed ({Status}); the next run is at {Next:O}",
                    functionName, result.StatusCode, next);
            }
            monitor.Report(new TriggerInvocation(functionName, null, null, null, isPastDue,
                result.Succeeded ? TriggerOutcome.Succeeded : TriggerOutcome.Failed, timeProvider.GetUtcNow()));
            return result;
        }
        finally
        {
            _oneRunAtATime.Release();
        }
    }

    public DateTimeOffset? NextRun => _nextRun;

    private DateTimeOffset NextAfter(DateTimeOffset instant) =>
        new(DateTime.SpecifyKind(schedule.GetNextOccurrence(instant.UtcDateTime), DateTimeKind.Utc));

    /// <summary>The host's TimerInfo shape (PascalCase): <c>{Schedule, ScheduleStatus {Last, Next, LastUpdated}, IsPastDue}</c>.</summary>
    private JsonElement BuildEnvelope(bool isPastDue, DateTimeOffset? last, DateTimeOffset next)
    {
        var now = timeProvider.GetUtcNow();
        return EnvelopeWriter.Write(writer =>
        {
            writer.WriteStartObject("Data");
            writer.WriteStartObject(bindingName);
            writer.WriteStartObject("Schedule");
            writer.WriteBoolean("AdjustForDST", false);
            writer.WriteEndObject();
            writer.WriteStartObject("ScheduleStatus");
            if (last is { } lastRun)
            {
                writer.WriteString("Last", lastRun);
            }
            else
            {
                writer.WriteNull("Last");
            }
            writer.WriteString("Next", next);
            writer.WriteString("LastUpdated", now);
            writer.WriteEndObject();
            writer.WriteBoolean("IsPastDue", isPastDue);
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteStartObject("Metadata");
            EnvelopeWriter.WriteSys(writer, functionName, now);
            writer.WriteEndObject();
        });
    }
}

internal static class EnvelopeWriter
{
    public static JsonElement Write(Action<Utf8JsonWriter> writeBody)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writeBody(writer);
            writer.WriteEndObject();
        }
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    /// <summary>The host's <c>Metadata.sys</c>: <c>{MethodName, UtcNow, RandGuid}</c>.</summary>
    public static void WriteSys(Utf8JsonWriter writer, string functionName, DateTimeOffset now)
    {
        writer.WriteStartObject("sys");
        writer.WriteString("MethodName", functionName);
        writer.WriteString("UtcNow", now);
        writer.WriteString("RandGuid", Guid.NewGuid());
        writer.WriteEndObject();
    }
}
