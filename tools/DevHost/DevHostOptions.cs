using Microsoft.Extensions.Logging.Abstractions;

namespace CleverTapSegment.DevHost;

/// <summary>What to run and how: the worker build output, its app settings, where to listen.</summary>
public sealed class DevHostOptions
{
    public const string DefaultUrls = "http://127.0.0.1:7071";

    /// <summary>The worker build output: <c>functions.metadata</c>, <c>worker.config.json</c>, <c>host.json</c>.</summary>
    public required string AppDirectory { get; init; }

    /// <summary>
    /// App settings: passed to the worker as environment variables. The dev host itself reads
    /// <c>AzureWebJobsStorage</c> (connection-string form), queue/timer <c>%Setting%</c> expressions,
    /// <c>AzureFunctionsJobHost__*</c> overrides of host.json, <c>AzureWebJobs.&lt;Function&gt;.Disabled</c> and
    /// <c>AzureFunctionsWebHost__hostid</c> (the timer status blob's folder).
    /// </summary>
    public Dictionary<string, string?> Settings { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Where HTTP functions are served; port 0 picks a free port (see <see cref="DevHostServer.BaseAddress"/>).</summary>
    public string Urls { get; set; } = DefaultUrls;

    /// <summary>Drives timer schedules only; queue leases and polling run on real time (the storage service's clock).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Every <c>rpc_log</c> entry of the worker, unfiltered, as it arrives.</summary>
    public Action<WorkerLogEntry>? OnWorkerLog { get; set; }

    /// <summary>The dev host's own diagnostics (function executions, queue moves, worker start and exit).</summary>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>How long a worker may take from process start to functions loaded.</summary>
    public TimeSpan WorkerStartTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long a received queue message stays invisible while its invocation runs; renewed halfway. The host uses
    /// 10 minutes, which is also how long a message stays hidden after its worker is killed; tests shorten it to see
    /// a renewal or to recover from a crash quickly.
    /// </summary>
    public TimeSpan QueueMessageLease { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>One <c>rpc_log</c> entry of the worker: an <c>ILogger</c> call in the worker process.</summary>
public sealed record WorkerLogEntry(LogLevel Level, string Category, string Message, string? Exception, string? InvocationId);
