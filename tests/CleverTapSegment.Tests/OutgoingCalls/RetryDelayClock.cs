using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace CleverTapSegment.Tests.OutgoingCalls;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that records every delay a pipeline waits for (retry backoffs, <c>Retry-After</c>)
/// and runs a call to completion by advancing the clock by exactly those delays, so retries happen at once and in
/// order, with no sleeps. Timeouts (timers owned by a <see cref="CancellationTokenSource"/>, as Polly's timeout
/// strategy makes) are not delays: they fire only if the clock is advanced past them while an attempt runs.
/// </summary>
internal sealed class RetryDelayClock : FakeTimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<TimeSpan> _delays = [];
    private readonly Channel<TimeSpan> _pending = Channel.CreateUnbounded<TimeSpan>();

    public IReadOnlyList<TimeSpan> Delays
    {
        get
        {
            lock (_lock)
                return [.. _delays];
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (state is not CancellationTokenSource && dueTime != Timeout.InfiniteTimeSpan)
        {
            lock (_lock)
                _delays.Add(dueTime);
            _pending.Writer.TryWrite(dueTime);
        }
        return timer;
    }

    /// <summary>Starts <paramref name="call"/> and advances through each delay it waits for until it completes.</summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> call)
    {
        var task = call();
        while (!task.IsCompleted)
        {
            // Waits for a delay to be asked for without taking it, so none is lost when the call finishes first.
            await Task.WhenAny(task, _pending.Reader.WaitToReadAsync().AsTask());
            while (_pending.Reader.TryRead(out var delay))
                Advance(delay);
        }
        return await task;
    }

    public async Task RunAsync(Func<Task> call) => await RunAsync(async () =>
    {
        await call();
        return true;
    });
}
