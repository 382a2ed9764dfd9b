namespace CleverTapSegment.Tests.Exports.Clients;

/// <summary>
/// A clock whose delays complete at once, moving the clock forward by their due time: retry backoffs complete without
/// waiting, and the delays asked for are recorded so tests can check them (e.g. <c>Retry-After</c> honoured).
/// Timeouts (timers whose state is a <see cref="CancellationTokenSource"/>, as Polly's timeout strategy creates) never
/// elapse, so a slow test machine cannot turn into a spurious timeout.
/// </summary>
internal sealed class ImmediateTimeProvider : TimeProvider
{
    private readonly object _lock = new();
    private readonly List<TimeSpan> _delays = [];
    private DateTimeOffset _now;

    public ImmediateTimeProvider(DateTimeOffset start) => _now = start;

    public IReadOnlyList<TimeSpan> Delays
    {
        get
        {
            lock (_lock)
                return _delays.ToArray();
        }
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
            return _now;
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime == Timeout.InfiniteTimeSpan || state is CancellationTokenSource)
            return new NeverTimer();
        lock (_lock)
        {
            _delays.Add(dueTime);
            _now += dueTime;
        }
        // Fire on the thread pool, never inline: the caller may still be setting up what the callback completes.
        ThreadPool.QueueUserWorkItem(_ => callback(state));
        return new NeverTimer();
    }

    /// <summary>Timeouts (infinite or already fired timers) that never fire again.</summary>
    private sealed class NeverTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
