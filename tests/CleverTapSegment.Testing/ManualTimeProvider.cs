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

    /// <summary>Moves the clock forward to <paramref name="utcNow"/>, firing every timer due on the way.</summary>
    public void SetUtcNow(DateTimeOffset utcNow)
    {
        utcNow = utcNow.ToUniversalTime();
        while (true)
        {
            ManualTimer? due;
            lock (_gate)
            {
                if (utcNow < _utcNow)
                {
                    throw new ArgumentOutOfRangeException(nameof(utcNow), "Time only moves forward.");
                }
                due = _timers.Where(timer => timer.DueAt <= utcNow).MinBy(timer => timer.DueAt);
                if (due is null)
                {
                    _utcNow = utcNow;
                    return;
                }
                if (due.DueAt > _utcNow)
                {
                    _utcNow = due.DueAt;
                }
                due.Reschedule(_utcNow);
                if (due.DueAt == DateTimeOffset.MaxValue)
                {
                    _timers.Remove(due);
                }
            }
            due.Fire();
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

        /// <summary>Called under the owner's lock when the timer fires at <paramref name="now"/>.</summary>
        public void Reschedule(DateTimeOffset now) =>
            DueAt = _period == Timeout.InfiniteTimeSpan || _period <= TimeSpan.Zero ? DateTimeOffset.MaxValue : now + _period;

        public void Fire() => callback(state);

        public void Dispose() => owner.Unschedule(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
