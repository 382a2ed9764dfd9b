namespace CleverTapSegment.DevHost;

/// <summary>How one invocation ended, as the worker reported it.</summary>
public sealed record FunctionInvocationResult(string InvocationId, bool Succeeded, string? Error)
{
    /// <summary>The worker died (or was killed) before answering: the host never learned the outcome.</summary>
    internal bool WorkerLost { get; init; }
}

public enum TriggerOutcome
{
    /// <summary>The function succeeded (queue: message deleted).</summary>
    Succeeded,
    /// <summary>The function failed; a queue message becomes visible again after <c>visibilityTimeout</c>.</summary>
    Failed,
    /// <summary>The message went to <c>&lt;queue&gt;-poison</c>: last allowed attempt failed, or it could not be decoded.</summary>
    MovedToPoison,
    /// <summary>The worker died mid-invocation: a queue message stays invisible until its lease runs out.</summary>
    WorkerLost,
}

/// <summary>One thing the dev host did with a queue message or a timer occurrence.</summary>
public sealed record TriggerInvocation(
    string FunctionName,
    string? QueueName,
    string? MessageId,
    long? DequeueCount,
    bool? IsPastDue,
    TriggerOutcome Outcome,
    DateTimeOffset At);

/// <summary>
/// What the queue listeners and timers are doing, for tests and diagnostics, without sleeps: wait until a queue is
/// drained, fire a timer now, wait until a timer is waiting for its next occurrence, wait for an invocation.
/// </summary>
public sealed class TriggerMonitor
{
    private readonly object _gate = new();
    private readonly Dictionary<string, QueueState> _queues = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, TimerState> _timers = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<TriggerInvocation> _invocations = [];
    private readonly List<(Func<TriggerInvocation, bool> Match, TaskCompletionSource<TriggerInvocation> Signal)> _invocationWaiters = [];

    /// <summary>Every queue and timer invocation outcome so far, oldest first.</summary>
    public IReadOnlyList<TriggerInvocation> Invocations
    {
        get { lock (_gate) return _invocations.ToList(); }
    }

    /// <summary>The queue names with a listener (after <c>%AppSetting%</c> expansion).</summary>
    public IReadOnlyCollection<string> Queues
    {
        get { lock (_gate) return _queues.Keys.ToList(); }
    }

    /// <summary>
    /// Completes once a poll that started after this call found <paramref name="queueName"/> empty with nothing in
    /// flight. Messages hidden by a pending retry (<c>visibilityTimeout</c> &gt; 0) do not count as present.
    /// Wakes the listener so it does not wait out its polling back-off.
    /// </summary>
    public Task WaitForIdleAsync(string queueName, CancellationToken cancellationToken)
    {
        QueueState state;
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (!_queues.TryGetValue(queueName, out state!))
            {
                throw new InvalidOperationException(
                    $"No queue listener for '{queueName}'. Listening to: {string.Join(", ", _queues.Keys)}.");
            }
            state.IdleWaiters.Add((state.PollsStarted, signal));
        }
        state.Wake();
        return signal.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Runs the timer function now (not past due), serialized with its scheduled runs; returns its outcome.</summary>
    public Task<FunctionInvocationResult> FireTimerAsync(string functionName, CancellationToken cancellationToken)
    {
        TimerState state;
        lock (_gate)
        {
            if (!_timers.TryGetValue(functionName, out state!))
            {
                throw new InvalidOperationException(
                    $"No timer function '{functionName}'. Timers: {string.Join(", ", _timers.Keys)}.");
            }
        }
        return state.FireAsync(cancellationToken);
    }

    /// <summary>
    /// Completes with the occurrence the timer waits for, once it is waiting (at once if it already is). Lets a
    /// test move a fake clock only after the scheduler has armed its delay.
    /// </summary>
    public Task<DateTimeOffset> WaitForTimerArmedAsync(string functionName, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_timers.TryGetValue(functionName, out var state))
            {
                state = new TimerState(null);
                _timers[functionName] = state;
            }
            if (state.ArmedFor is { } armed)
            {
                return Task.FromResult(armed);
            }
            var signal = new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously);
            state.ArmedWaiters.Add(signal);
            return signal.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Completes with the first invocation (past or future) that matches.</summary>
    public Task<TriggerInvocation> WaitForInvocationAsync(Func<TriggerInvocation, bool> match, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var existing = _invocations.FirstOrDefault(match);
            if (existing is not null)
            {
                return Task.FromResult(existing);
            }
            var signal = new TaskCompletionSource<TriggerInvocation>(TaskCreationOptions.RunContinuationsAsynchronously);
            _invocationWaiters.Add((match, signal));
            return signal.Task.WaitAsync(cancellationToken);
        }
    }

    internal void RegisterQueue(string queueName, Action wake)
    {
        lock (_gate)
        {
            _queues[queueName] = new QueueState(wake);
        }
    }

    /// <summary>Returns the poll's sequence number, for <see cref="ReportPollResult"/>.</summary>
    internal long ReportPollStarting(string queueName)
    {
        lock (_gate)
        {
            return ++_queues[queueName].PollsStarted;
        }
    }

    internal void ReportPollResult(string queueName, long pollNumber, bool idle)
    {
        if (!idle)
        {
            return;
        }
        List<TaskCompletionSource> released;
        lock (_gate)
        {
            var state = _queues[queueName];
            released = state.IdleWaiters.Where(waiter => waiter.RegisteredAtPoll < pollNumber).Select(waiter => waiter.Signal).ToList();
            state.IdleWaiters.RemoveAll(waiter => waiter.RegisteredAtPoll < pollNumber);
        }
        foreach (var signal in released)
        {
            signal.TrySetResult();
        }
    }

    internal void RegisterTimer(string functionName, Func<CancellationToken, Task<FunctionInvocationResult>> fire)
    {
        lock (_gate)
        {
            if (_timers.TryGetValue(functionName, out var existing))
            {
                existing.FireCallback = fire;
            }
            else
            {
                _timers[functionName] = new TimerState(fire);
            }
        }
    }

    internal void ReportTimerArmed(string functionName, DateTimeOffset? occurrence)
    {
        List<TaskCompletionSource<DateTimeOffset>> released = [];
        lock (_gate)
        {
            var state = _timers[functionName];
            state.ArmedFor = occurrence;
            if (occurrence is not null)
            {
                released.AddRange(state.ArmedWaiters);
                state.ArmedWaiters.Clear();
            }
        }
        foreach (var signal in released)
        {
            signal.TrySetResult(occurrence!.Value);
        }
    }

    internal void Report(TriggerInvocation invocation)
    {
        List<TaskCompletionSource<TriggerInvocation>> released;
        lock (_gate)
        {
            _invocations.Add(invocation);
            released = _invocationWaiters.Where(waiter => waiter.Match(invocation)).Select(waiter => waiter.Signal).ToList();
            _invocationWaiters.RemoveAll(waiter => waiter.Match(invocation));
        }
        foreach (var signal in released)
        {
            signal.TrySetResult(invocation);
        }
    }

    private sealed class QueueState(Action wake)
    {
        public long PollsStarted { get; set; }
        public List<(long RegisteredAtPoll, TaskCompletionSource Signal)> IdleWaiters { get; } = [];
        public void Wake() => wake();
    }

    private sealed class TimerState(Func<CancellationToken, Task<FunctionInvocationResult>>? fire)
    {
        public Func<CancellationToken, Task<FunctionInvocationResult>>? FireCallback { get; set; } = fire;
        public DateTimeOffset? ArmedFor { get; set; }
        public List<TaskCompletionSource<DateTimeOffset>> ArmedWaiters { get; } = [];

        public Task<FunctionInvocationResult> FireAsync(CancellationToken cancellationToken) =>
            FireCallback is { } fire
                ? fire(cancellationToken)
                : throw new InvalidOperationException("The timer is not running yet.");
    }
}
