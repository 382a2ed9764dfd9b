namespace CleverTapSegment.Testing;

/// <summary>
/// A clock that moves only when a test says so. Timers (and so <c>Task.Delay(…, timeProvider)</c>) fire during
/// <see cref="Advance"/>/<see cref="SetUtcNow"/> once their due time is reached, in due order, so time-driven code is
/// tested without sleeping. Local time zone is UTC.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private readonly List<(TimeSpan DueWithin, TaskCompletionSource<DateTimeOffset> Signal)> _timerWaiters = [];
    private DateTimeOffset _utcNow;

    public ManualTimeProvider(DateTimeOffset start) => _utcNow = start.ToUniversalTime();

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate) return _utcNow;
    }

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        SetUtcNow(GetUtcNow() + by);
    }

    /// <summary>
    /// Jumps the clock to <paramref name="utcNow"/>, then fires every timer due by then, earliest first; callbacks see
    /// the new time, as after a machine wakes from sleep (a periodic timer fires once per period passed).
    /// </summary>
    public void SetUtcNow(DateTimeOffset utcNow)
    {
        utcNow = utcNow.ToUniversalTime();
        lock (_gate)
        {
            if (utcNow < _utcNow)
            {
                throw new ArgumentOutOfRangeException(nameof(utcNow), "Time only moves forward.");
            }
            _utcNow = utcNow;
        }
        while (true)
        {
            ManualTimer? due;
            lock (_gate)
            {
                due = _timers.Where(timer => timer.DueAt <= _utcNow).MinBy(timer => timer.DueAt);
                if (due is null)
                {
                    return;
                }
                due.Reschedule();
                if (due.DueAt == DateTimeOffset.MaxValue)
                {
                    _timers.Remove(due);
                }
            }
            due.Fire();
        }
    }

    /// <summary>
    /// Completes with the due time of the first timer armed to fire at most <paramref name="dueWithin"/> from now (at
    /// once if one already is): lets a test move the clock only once the code under test waits on it, so no advance
    /// is lost before the timer exists.
    /// </summary>
    public Task<DateTimeOffset> WaitForTimerAsync(TimeSpan dueWithin, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var armed = _timers.Where(timer => timer.DueAt - _utcNow <= dueWithin).MinBy(timer => timer.DueAt);
            if (armed is not null)
            {
                return Task.FromResult(armed.DueAt);
            }
            var signal = new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously);
            _timerWaiters.Add((dueWithin, signal));
            return signal.Task.WaitAsync(cancellationToken);
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private void Schedule(ManualTimer timer)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
            if (timer.DueAt != DateTimeOffset.MaxValue)
            {
                _timers.Add(timer);
                for (var i = _timerWaiters.Count - 1; i >= 0; i--)
                {
                    if (timer.DueAt - _utcNow <= _timerWaiters[i].DueWithin)
                    {
                        _timerWaiters[i].Signal.TrySetResult(timer.DueAt);
                        _timerWaiters.RemoveAt(i);
                    }
                }
            }
        }
    }

    private void Unschedule(ManualTimer timer)
    {
        lock (_gate) _timers.Remove(timer);
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public DateTimeOffset DueAt { get; private set; } = DateTimeOffset.MaxValue;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            _period = period;
            DueAt = dueTime == Timeout.InfiniteTimeSpan ? DateTimeOffset.MaxValue : owner.GetUtcNow() + dueTime;
            owner.Schedule(this);
            return true;
        }

        /// <summary>Called under the owner's lock as the timer fires.</summary>
        public void Reschedule() =>
            DueAt = _period == Timeout.InfiniteTimeSpan || _period <= TimeSpan.Zero ? DateTimeOffset.MaxValue : DueAt + _period;

        public void Fire() => callback(state);

        public void Dispose() => owner.Unschedule(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
