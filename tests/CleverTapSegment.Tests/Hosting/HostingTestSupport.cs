using System.Collections.Concurrent;
using CleverTapSegment.Hosting;

namespace CleverTapSegment.Tests.Hosting;

/// <summary>What the test functions received, in order, with a signal per invocation.</summary>
public sealed class InvocationRecorder
{
    private readonly ConcurrentQueue<object> _triggers = new();
    private readonly List<(Func<object, bool> Match, TaskCompletionSource<object> Signal)> _waiters = [];
    private readonly object _gate = new();

    public IReadOnlyList<object> Triggers => [.. _triggers];

    public void Record(object trigger)
    {
        List<TaskCompletionSource<object>> released;
        lock (_gate)
        {
            _triggers.Enqueue(trigger);
            released = _waiters.Where(w => w.Match(trigger)).Select(w => w.Signal).ToList();
            _waiters.RemoveAll(w => w.Match(trigger));
        }
        foreach (var signal in released)
        {
            signal.TrySetResult(trigger);
        }
    }

    /// <summary>Completes with the <paramref name="count"/>-th recorded trigger of type <typeparamref name="T"/>.</summary>
    public async Task<T> WaitForAsync<T>(int count, CancellationToken cancellationToken)
    {
        var seen = 0;
        Task<object> wait;
        lock (_gate)
        {
            var existing = _triggers.OfType<T>().Skip(count - 1).FirstOrDefault();
            if (existing is not null)
            {
                return existing;
            }
            seen = _triggers.OfType<T>().Count();
            var remaining = count - seen;
            var signal = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((trigger => trigger is T && --remaining == 0, signal));
            wait = signal.Task;
        }
        return (T)await wait.WaitAsync(cancellationToken);
    }
}

public sealed class RecordingQueueFunction(InvocationRecorder recorder) : IQueueTriggeredFunction
{
    public Task RunAsync(QueueTrigger trigger, CancellationToken cancellationToken)
    {
        recorder.Record(trigger);
        return Task.CompletedTask;
    }
}

public sealed class RecordingTimerFunction(InvocationRecorder recorder) : ITimerTriggeredFunction
{
    public Task RunAsync(TimerTrigger trigger, CancellationToken cancellationToken)
    {
        recorder.Record(trigger);
        return Task.CompletedTask;
    }
}

public sealed class FailingQueueFunction(InvocationRecorder recorder) : IQueueTriggeredFunction
{
    public Task RunAsync(QueueTrigger trigger, CancellationToken cancellationToken)
    {
        recorder.Record(trigger);
        throw new InvalidOperationException($"Refusing message {trigger.MessageId} on purpose.");
    }
}

/// <summary>A throwaway function app root: <c>&lt;name&gt;/function.json</c> folders written by the test.</summary>
public sealed class TemporaryFunctionAppRoot : IDisposable
{
    public TemporaryFunctionAppRoot()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ctseg-functions-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public TemporaryFunctionAppRoot Add(string functionName, string functionJson)
    {
        var folder = System.IO.Path.Combine(Path, functionName);
        Directory.CreateDirectory(folder);
        File.WriteAllText(System.IO.Path.Combine(folder, "function.json"), functionJson);
        return this;
    }

    public TemporaryFunctionAppRoot AddQueue(string functionName, string bindingName, string queueName) =>
        Add(functionName, $$"""
            { "bindings": [ { "name": "{{bindingName}}", "type": "queueTrigger", "direction": "in",
                              "queueName": "{{queueName}}", "connection": "AzureWebJobsStorage" } ] }
            """);

    public TemporaryFunctionAppRoot AddTimer(string functionName, string schedule, bool runOnStartup = false, bool useMonitor = false) =>
        Add(functionName, $$"""
            { "bindings": [ { "name": "timer", "type": "timerTrigger", "direction": "in", "schedule": "{{schedule}}",
                              "runOnStartup": {{Json(runOnStartup)}}, "useMonitor": {{Json(useMonitor)}} } ] }
            """);

    private static string Json(bool value) => value ? "true" : "false";

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}

internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "CleverTapSegment.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("No CleverTapSegment.sln above the test output.");
    }
}
