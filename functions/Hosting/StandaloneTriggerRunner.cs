using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using CleverTapSegment.Storage;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Options;
using NCrontab;

namespace CleverTapSegment.Hosting;

/// <summary>
/// Standalone mode only (no <c>FUNCTIONS_CUSTOMHANDLER_PORT</c>): plays the Functions host for the non-HTTP
/// functions, reading the same <c>function.json</c>/<c>host.json</c> and calling the same
/// <see cref="FunctionDispatcher"/> with the same <c>{Data, Metadata}</c> envelope the host would POST.
/// Bad function.json values (schedule, queue name, missing setting) fail start-up.
/// </summary>
public sealed partial class StandaloneTriggerRunner : BackgroundService
{
    private readonly FunctionCatalog _catalog;
    private readonly FunctionDispatcher _dispatcher;
    private readonly TriggerRunnerMonitor _monitor;
    private readonly IConfiguration _configuration;
    private readonly HostQueueOptions _queueOptions;
    private readonly HostFunctionOptions _functionOptions;
    private readonly TimeProvider _timeProvider;
    private readonly IServiceProvider _services;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger<StandaloneTriggerRunner> _logger;
    private readonly List<Func<CancellationToken, Task>> _loops = [];

    public StandaloneTriggerRunner(
        FunctionCatalog catalog,
        FunctionDispatcher dispatcher,
        TriggerRunnerMonitor monitor,
        IConfiguration configuration,
        IOptions<HostQueueOptions> queueOptions,
        IOptions<HostFunctionOptions> functionOptions,
        TimeProvider timeProvider,
        IServiceProvider services,
        ILoggerFactory loggerFactory)
    {
        _catalog = catalog;
        _dispatcher = dispatcher;
        _monitor = monitor;
        _configuration = configuration;
        _queueOptions = queueOptions.Value;
        _functionOptions = functionOptions.Value;
        _timeProvider = timeProvider;
        _services = services;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<StandaloneTriggerRunner>();
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Plan synchronously so the monitor knows every queue and timer as soon as the app has started.
        foreach (var definition in _catalog.Functions.Where(definition => definition.IsQueue || definition.IsTimer))
        {
            var function = _dispatcher.Find(definition.Name);
            if (function is null)
            {
                _logger.LogWarning("{FunctionJson} has no registered handler; the standalone runner leaves {FunctionName} alone",
                    definition.FunctionJsonPath, definition.Name);
                continue;
            }
            var expectedKind = definition.IsQueue ? RegisteredFunctionKind.Queue : RegisteredFunctionKind.Timer;
            if (function.Kind != expectedKind)
            {
                throw new InvalidOperationException(
                    $"{definition.Name}: function.json declares a {definition.Trigger!.Type} but the handler is registered as a {function.Kind} function.");
            }
            if (definition.IsTimer)
            {
                PlanTimer(definition);
            }
            else
            {
                PlanQueue(definition);
            }
        }
        return base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_loops.Select(loop => Task.Run(() => loop(stoppingToken), CancellationToken.None)));

    private void PlanTimer(FunctionDefinition definition)
    {
        var trigger = definition.Trigger!;
        var rawSchedule = trigger.GetString("schedule")
            ?? throw new InvalidOperationException($"{definition.Name}: the timerTrigger has no \"schedule\".");
        var expression = AppSettingExpander.Expand(rawSchedule, _configuration);
        var schedule = CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true })
            ?? throw new InvalidOperationException(
                $"{definition.Name}: schedule '{expression}' (from '{rawSchedule}') is not a six-field NCRONTAB expression " +
                "({second} {minute} {hour} {day} {month} {day-of-week}, https://learn.microsoft.com/azure/azure-functions/functions-bindings-timer#ncrontab-expressions).");
        // The host's default: monitor schedules of a minute or more, not sub-minute ones.
        var start = _timeProvider.GetUtcNow().UtcDateTime;
        var firstOccurrence = schedule.GetNextOccurrence(start);
        var useMonitor = trigger.GetBoolean("useMonitor") ?? schedule.GetNextOccurrence(firstOccurrence) - firstOccurrence >= TimeSpan.FromMinutes(1);
        var statusStore = useMonitor && _services.GetService<TableServiceClient>() is { } tables
            ? new TimerStatusStore(tables, _loggerFactory.CreateLogger<TimerStatusStore>())
            : null;
        var scheduler = new TimerTriggerScheduler(
            definition.Name, trigger.Name, schedule, trigger.GetBoolean("runOnStartup") ?? false, statusStore,
            _dispatcher, _monitor, _timeProvider, _loggerFactory.CreateLogger<TimerTriggerScheduler>());
        _monitor.RegisterTimer(definition.Name, scheduler.FireNowAsync);
        _logger.LogInformation("Timer {FunctionName} on schedule '{Schedule}' (UTC)", definition.Name, expression);
        _loops.Add(scheduler.RunAsync);
    }

    private void PlanQueue(FunctionDefinition definition)
    {
        var trigger = definition.Trigger!;
        var rawName = trigger.GetString("queueName")
            ?? throw new InvalidOperationException($"{definition.Name}: the queueTrigger has no \"queueName\".");
        var queueName = AppSettingExpander.Expand(rawName, _configuration).ToLowerInvariant();
        // <name>-poison must still be a valid queue name (≤ 63 characters).
        if (!QueueNamePattern().IsMatch(queueName) || queueName.Contains("--", StringComparison.Ordinal) || queueName.Length > 56)
        {
            throw new InvalidOperationException(
                $"{definition.Name}: queue name '{queueName}' must be 3-56 lowercase letters, digits and single dashes " +
                "(https://learn.microsoft.com/rest/api/storageservices/naming-queues-and-metadata).");
        }
        var connection = trigger.GetString("connection");
        if (connection is not null && !string.Equals(connection, "AzureWebJobsStorage", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"{definition.Name}: the standalone runner only serves the AzureWebJobsStorage account, not connection '{connection}'.");
        }
        var queues = _services.GetService<IAzureClientFactory<QueueServiceClient>>()?.CreateClient(StorageComposition.RawQueueClientName)
            ?? throw new InvalidOperationException(
                $"{definition.Name}: the queue trigger needs storage; set AzureWebJobsStorage (e.g. UseDevelopmentStorage=true).");
        var listener = new QueueTriggerListener(
            definition.Name, trigger.Name, queueName, queues, _dispatcher, _monitor, _queueOptions,
            _functionOptions.EffectiveFunctionTimeout, _loggerFactory.CreateLogger<QueueTriggerListener>());
        _monitor.RegisterQueue(queueName, listener.Wake);
        _logger.LogInformation("Queue {FunctionName} listening to '{QueueName}' (batch {BatchSize}, max dequeue {MaxDequeueCount})",
            definition.Name, queueName, _queueOptions.BatchSize, _queueOptions.MaxDequeueCount);
        _loops.Add(listener.RunAsync);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex QueueNamePattern();
}
