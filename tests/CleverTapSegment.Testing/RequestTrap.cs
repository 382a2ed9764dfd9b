namespace CleverTapSegment.Testing;

/// <summary>
/// Holds the first request of a fake that matches a condition: the request waits, unanswered, until its client goes
/// away (or the fake is disposed). A crash test arms it, waits until a request is caught, and kills the client at
/// that exact moment, without sleeping. One trap at a time; arming again replaces a trap that caught nothing.
/// </summary>
internal sealed class RequestTrap<T> : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private Armed? _armed;

    /// <summary>Completes with the request once one matching <paramref name="match"/> is being held.</summary>
    public Task<T> ArmAsync(Func<T, bool> match, CancellationToken cancellationToken)
    {
        var armed = new Armed(match);
        Interlocked.Exchange(ref _armed, armed)?.Caught.TrySetCanceled();
        return armed.Caught.Task.WaitAsync(cancellationToken);
    }

    public bool IsArmed => Volatile.Read(ref _armed) is not null;

    /// <summary>
    /// If <paramref name="request"/> is the one the trap waits for, reports it caught and waits until the client
    /// aborts the request (true: the caller must not answer); otherwise returns false at once.
    /// </summary>
    public async Task<bool> HoldIfCaughtAsync(T request, CancellationToken requestAborted)
    {
        if (Volatile.Read(ref _armed) is not { } armed || !armed.Match(request) || Interlocked.CompareExchange(ref _armed, null, armed) != armed)
            return false;
        armed.Caught.TrySetResult(request);
        using var held = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, _disposed.Token);
        // Until the client goes away (killed) or the fake shuts down: either way nobody reads an answer.
        await held.Token.WhenCancelledAsync();
        return true;
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _armed, null)?.Caught.TrySetCanceled();
        // Not disposed: a request arriving during shutdown may still link to its token.
        _disposed.Cancel();
    }

    private sealed class Armed(Func<T, bool> match)
    {
        public Func<T, bool> Match { get; } = match;
        public TaskCompletionSource<T> Caught { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
