namespace CleverTapSegment.DevHost.Tests;

/// <summary>The worker's log entries as the dev host hands them over, with a wait for one that matches.</summary>
public sealed class WorkerLog
{
    private readonly object _gate = new();
    private readonly List<WorkerLogEntry> _entries = [];
    private readonly List<(Func<WorkerLogEntry, bool> Match, TaskCompletionSource<WorkerLogEntry> Signal)> _waiters = [];

    public IReadOnlyList<WorkerLogEntry> Entries
    {
        get { lock (_gate) return _entries.ToList(); }
    }

    public void Add(WorkerLogEntry entry)
    {
        List<TaskCompletionSource<WorkerLogEntry>> released;
        lock (_gate)
        {
            _entries.Add(entry);
            released = _waiters.Where(waiter => waiter.Match(entry)).Select(waiter => waiter.Signal).ToList();
            _waiters.RemoveAll(waiter => waiter.Match(entry));
        }
        foreach (var signal in released)
        {
            signal.TrySetResult(entry);
        }
    }

    /// <summary>Completes with the first entry (past or future) that matches.</summary>
    public Task<WorkerLogEntry> WaitForAsync(Func<WorkerLogEntry, bool> match, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_entries.FirstOrDefault(match) is { } existing)
            {
                return Task.FromResult(existing);
            }
            var signal = new TaskCompletionSource<WorkerLogEntry>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, signal));
            return signal.Task.WaitAsync(cancellationToken);
        }
    }

    public Task<WorkerLogEntry> WaitForMessageAsync(string startsWith, CancellationToken cancellationToken) =>
        WaitForAsync(entry => entry.Message.StartsWith(startsWith, StringComparison.Ordinal), cancellationToken);

    /// <summary>Everything the worker logged, into the test's output (shown when a test fails).</summary>
    public void WriteTo(ITestOutputHelper output)
    {
        foreach (var entry in Entries)
        {
            output.WriteLine($"{entry.Level} {entry.Category} {entry.InvocationId}: {entry.Message} {entry.Exception}");
        }
    }

    public IReadOnlyList<string> Messages(string startsWith) =>
        Entries.Where(entry => entry.Message.StartsWith(startsWith, StringComparison.Ordinal)).Select(entry => entry.Message).ToList();
}
