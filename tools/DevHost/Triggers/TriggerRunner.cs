using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using CleverTapSegment.DevHost.Configuration;
using CleverTapSegment.DevHost.Rpc;
using CleverTapSegment.DevHost.Worker;
using NCrontab;

namespace CleverTapSegment.DevHost.Triggers;

/// <summary>
/// Plans a listener per queue function and a scheduler per timer function from the worker's metadata, then runs
/// them until stopped. Bad binding values (schedule, queue name, missing setting or connection) fail start-up
/// naming the function. Functions disabled with <c>AzureWebJobs.&lt;name&gt;.Disabled</c> are left alone.
/// </summary>
internal sealed partial class TriggerRunner
{
    private readonly List<Func<CancellationToken, Task>> _loops = [];
    private readonly Dictionary<string, Func<string, CancellationToken, Task<FunctionInvocationResult>>> _invokeNow = new(StringComparer.OrdinalIgnoreCase);
    private readonly CancellationTokenSource _stopping = new();
    private Task _running = Task.CompletedTask;

    public TriggerRunner(
        IReadOnlyList<HostFunction> functions,
        HostConfiguration configuration,
        WorkerSupervisor supervisor,
        FunctionInvoker invoker,
        TriggerMonitor monitor,
        DevHostOptions options,
        ILoggerFactory loggerFactory)
    {
        var logger = loggerFactory.CreateLogger("Host.Triggers");
        var storage = new StorageClients(configuration);
        foreach (var function in functions.Where(function => function.IsQueue || function.IsTimer))
        {
            if (configuration.IsDisabled(function.Name))
            {
                logger.LogInformation("Function {FunctionName} is disabled (AzureWebJobs.{FunctionName}.Disabled)", function.Name, function.Name);
                continue;
            }
            if (function.IsTimer)
            {
                PlanTimer(function, configuration, storage, invoker, monitor, options, loggerFactory, logger);
            }
            else
            {
                PlanQueue(function, configuration, storage, supervisor, invoker, monitor, options, loggerFactory, logger);
            }
        }
    }

    public void Start() => _running = Task.WhenAll(_loops.Select(loop => Task.Run(() => loop(_stopping.Token))));

    public async Task StopAsync()
    {
        await _stopping.CancelAsync();
        await _running;
    }

    /// <summary>
    /// The admin API's "run now" (<c>POST /admin/functions/{name}</c>): a timer fires out of schedule; a queue
    /// function gets <paramref name="input"/> as its message text, with no message behind it.
    /// </summary>
    public bool TryInvokeNow(string functionName, string input, out Task<FunctionInvocationResult> invocation)
    {
        if (_invokeNow.TryGetValue(functionName, out var invoke))
        {
            invocation = invoke(input, _stopping.Token);
            return true;
        }
        invocation = Task.FromResult(new FunctionInvocationResult("", false, "unknown function"));
        return false;
    }

    private void PlanTimer(HostFunction function, HostConfiguration configuration, StorageClients storage, FunctionInvoker invoker,
        TriggerMonitor monitor, DevHostOptions options, ILoggerFactory loggerFactory, ILogger logger)
    {
        var rawSchedule = function.GetTriggerString("schedule")
            ?? throw new InvalidOperationException($"{function.Name}: the timerTrigger has no \"schedule\".");
        var expression = configuration.Expand(rawSchedule, function.Name);
        var schedule = CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true })
            ?? throw new InvalidOperationException(
                $"{function.Name}: schedule '{expression}' (from '{rawSchedule}') is not a six-field NCRONTAB expression " +
                "({second} {minute} {hour} {day} {month} {day-of-week}, https://learn.microsoft.com/azure/azure-functions/functions-bindings-timer#ncrontab-expressions).");
        // The host's default: monitor schedules of a minute or more, not sub-minute ones.
        var firstOccurrence = schedule.GetNextOccurrence(options.TimeProvider.GetUtcNow().UtcDateTime);
        var useMonitor = function.GetTriggerBoolean("useMonitor")
            ?? schedule.GetNextOccurrence(firstOccurrence) - firstOccurrence >= TimeSpan.FromMinutes(1);
        TimerStatusStore? statusStore = null;
        if (useMonitor)
        {
            if (storage.Blobs(HostConfiguration.StorageSetting) is { } blobs)
            {
                statusStore = new TimerStatusStore(blobs, configuration.HostId, loggerFactory.CreateLogger("Host.Triggers.Timer"));
            }
            else
            {
                logger.LogWarning("{FunctionName}: no {Setting}, so the schedule status is not kept and a missed occurrence will not catch up",
                    function.Name, HostConfiguration.StorageSetting);
            }
        }
        var scheduler = new TimerTriggerScheduler(
            function.Name, function.TriggerBindingName, schedule, function.GetTriggerBoolean("runOnStartup") ?? false, statusStore,
            invoker, monitor, options.TimeProvider, loggerFactory.CreateLogger("Host.Triggers.Timer"));
        monitor.RegisterTimer(function.Name, scheduler.FireNowAsync);
        _invokeNow[function.Name] = (_, cancellationToken) => scheduler.FireNowAsync(cancellationToken);
        logger.LogInformation("{FunctionName}: timerTrigger on '{Schedule}' (UTC)", function.Name, expression);
        _loops.Add(scheduler.RunAsync);
    }

    private void PlanQueue(HostFunction function, HostConfiguration configuration, StorageClients storage, WorkerSupervisor supervisor,
        FunctionInvoker invoker, TriggerMonitor monitor, DevHostOptions options, ILoggerFactory loggerFactory, ILogger logger)
    {
        var rawName = function.GetTriggerString("queueName")
            ?? throw new InvalidOperationException($"{function.Name}: the queueTrigger has no \"queueName\".");
        var queueName = configuration.Expand(rawName, function.Name).ToLowerInvariant();
        // <name>-poison must still be a valid queue name (≤ 63 characters).
        if (!QueueNamePattern().IsMatch(queueName) || queueName.Contains("--", StringComparison.Ordinal) || queueName.Length > 56)
        {
            throw new InvalidOperationException(
                $"{function.Name}: queue name '{queueName}' must be 3-56 lowercase letters, digits and single dashes " +
                "(https://learn.microsoft.com/rest/api/storageservices/naming-queues-and-metadata).");
        }
        var connection = function.GetTriggerString("connection") is { Length: > 0 } named ? named : HostConfiguration.StorageSetting;
        var queues = storage.Queues(connection)
            ?? throw new InvalidOperationException(
                $"{function.Name}: the queue trigger needs the connection setting '{connection}' as a storage connection string " +
                "(e.g. UseDevelopmentStorage=true); the dev host does not do identity-based connections.");
        var listener = new QueueTriggerListener(
            function.Name, function.TriggerBindingName, queueName, queues, invoker, supervisor, monitor, configuration.Queues,
            options.QueueMessageLease, loggerFactory.CreateLogger("Host.Triggers.Queue"));
        monitor.RegisterQueue(queueName, listener.Wake);
        var bindingName = function.TriggerBindingName;
        _invokeNow[function.Name] = (input, cancellationToken) => invoker.InvokeAsync(function.Name, "Manually invoked through the admin API.",
            request => request.InputData.Add(new ParameterBinding { Name = bindingName, Data = new TypedData { String = input } }), cancellationToken);
        logger.LogInformation("{FunctionName}: queueTrigger on '{QueueName}' (batch {BatchSize}, max dequeue {MaxDequeueCount})",
            function.Name, queueName, configuration.Queues.BatchSize, configuration.Queues.MaxDequeueCount);
        _loops.Add(listener.RunAsync);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex QueueNamePattern();

    /// <summary>
    /// Storage clients per connection name, from connection-string settings only. The host resolves a binding's
    /// <c>connection</c> "X" from the setting "X", then "AzureWebJobsX"
    /// (https://learn.microsoft.com/azure/azure-functions/functions-reference#connections).
    /// </summary>
    private sealed class StorageClients(HostConfiguration configuration)
    {
        private readonly Dictionary<string, QueueServiceClient> _queues = new(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, BlobServiceClient> _blobs = new(StringComparer.OrdinalIgnoreCase);

        public QueueServiceClient? Queues(string connection)
        {
            if (_queues.TryGetValue(connection, out var existing))
            {
                return existing;
            }
            // Messages are decoded here, not by the SDK, so undecodable ones can go to poison as they are.
            return ConnectionString(connection) is { } value
                ? _queues[connection] = new QueueServiceClient(value, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None })
                : null;
        }

        public BlobServiceClient? Blobs(string connection)
        {
            if (_blobs.TryGetValue(connection, out var existing))
            {
                return existing;
            }
            return ConnectionString(connection) is { } value ? _blobs[connection] = new BlobServiceClient(value) : null;
        }

        private string? ConnectionString(string connection) =>
            configuration.GetSetting(connection) is { Length: > 0 } direct ? direct
            : configuration.GetSetting("AzureWebJobs" + connection) is { Length: > 0 } prefixed ? prefixed
            : null;
    }
}
