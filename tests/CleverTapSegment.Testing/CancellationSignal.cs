namespace CleverTapSegment.Testing;

/// <summary>Waiting on a cancellation as a signal (a client that hangs up, a fake that shuts down), not on time.</summary>
public static class CancellationSignal
{
    /// <summary>Completes, without throwing, once <paramref name="token"/> is cancelled.</summary>
    public static Task WhenCancelledAsync(this CancellationToken token)
    {
        var signalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var registration = token.Register(() => signalled.TrySetResult());
        return signalled.Task.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
