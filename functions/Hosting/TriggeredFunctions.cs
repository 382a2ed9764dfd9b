namespace CleverTapSegment.Hosting;

/// <summary>
/// A queue-triggered function. Returning completes the message (the host deletes it); throwing fails the
/// invocation, so the host makes the message visible again and poisons it after <c>maxDequeueCount</c>.
/// </summary>
public interface IQueueTriggeredFunction
{
    Task RunAsync(QueueTrigger trigger, CancellationToken cancellationToken);
}

/// <summary>A timer-triggered function. Failures are logged; the timer does not retry (the next occurrence runs).</summary>
public interface ITimerTriggeredFunction
{
    Task RunAsync(TimerTrigger trigger, CancellationToken cancellationToken);
}

/// <summary>The decoded queue message (already unwrapped if the host JSON-encoded it twice) and its metadata.</summary>
public sealed record QueueTrigger(string MessageText, string? MessageId, long DequeueCount, DateTimeOffset? InsertionTime);

/// <summary>The timer's schedule status as the host reports it; <see cref="LastRun"/>/<see cref="NextRun"/> may be unknown.</summary>
public sealed record TimerTrigger(bool IsPastDue, DateTimeOffset? LastRun, DateTimeOffset? NextRun);
