using CleverTapSegment.DevHost.Configuration;
using CleverTapSegment.DevHost.Http;
using CleverTapSegment.DevHost.Rpc;
using CleverTapSegment.DevHost.Triggers;
using CleverTapSegment.DevHost.Worker;

namespace CleverTapSegment.DevHost;

/// <summary>
/// A local stand-in for the Azure Functions host, driving a .NET isolated worker (always a child process) over the
/// Functions gRPC protocol: HTTP functions on <see cref="BaseAddress"/>, queue and timer triggers with the host's
/// semantics, the worker's logs to <see cref="DevHostOptions.OnWorkerLog"/>.
/// </summary>
public sealed class DevHostServer : IAsyncDisposable
{
    private readonly RpcServer _rpc;
    private readonly WorkerSupervisor _supervisor;
    private readonly TriggerRunner _triggers;
    private readonly HttpFrontDoor _frontDoor;
    private int _disposed;

    private DevHostServer(RpcServer rpc, WorkerSupervisor supervisor, TriggerRunner triggers, HttpFrontDoor frontDoor, TriggerMonitor monitor)
    {
        _rpc = rpc;
        _supervisor = supervisor;
        _triggers = triggers;
        _frontDoor = frontDoor;
        Monitor = monitor;
    }

    /// <summary>Where HTTP functions are served, e.g. <c>http://127.0.0.1:7071/</c>.</summary>
    public Uri BaseAddress => _frontDoor.BaseAddress;

    public TriggerMonitor Monitor { get; }

    /// <summary>The current worker process (0 while none runs, after <see cref="KillWorkerAsync"/>).</summary>
    public int WorkerProcessId => _supervisor.Current?.Process.Id ?? 0;

    /// <summary>The names of the functions the worker loaded.</summary>
    public IReadOnlyList<string> FunctionNames => _supervisor.Functions.Select(function => function.Name).ToList();

    /// <summary>Completes with the exit code if the worker exits without being asked to (a crash).</summary>
    public Task<int> WorkerCrashed => _supervisor.Crashed;

    /// <summary>
    /// Starts the gRPC endpoint and the worker, waits until the worker has loaded its functions, then serves HTTP
    /// and starts the triggers. Fails (naming the function or setting) on a binding the host would reject.
    /// </summary>
    public static async Task<DevHostServer> StartAsync(DevHostOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Directory.Exists(options.AppDirectory))
        {
            throw new DirectoryNotFoundException($"The app directory {options.AppDirectory} does not exist.");
        }
        var configuration = HostConfiguration.Load(options.AppDirectory, options.Settings);
        var monitor = new TriggerMonitor();
        var connections = new WorkerConnections();
        var rpc = await RpcServer.StartAsync(connections, cancellationToken);
        var supervisor = new WorkerSupervisor(options, connections, rpc.Endpoint, log => Relay(options, log),
            options.LoggerFactory.CreateLogger("Host.Worker"));
        TriggerRunner? triggers = null;
        try
        {
            await supervisor.StartAsync(cancellationToken);
            var invoker = new FunctionInvoker(supervisor, configuration.FunctionTimeout, options.LoggerFactory.CreateLogger("Host.Function"));
            triggers = new TriggerRunner(supervisor.Functions, configuration, supervisor, invoker, monitor, options, options.LoggerFactory);
            var frontDoor = await HttpFrontDoor.StartAsync(options, configuration, supervisor.Functions, supervisor, invoker, triggers, cancellationToken);
            triggers.Start();
            return new DevHostServer(rpc, supervisor, triggers, frontDoor, monitor);
        }
        catch
        {
            if (triggers is not null)
            {
                await triggers.StopAsync();
            }
            await supervisor.StopAsync();
            await rpc.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// SIGKILLs the worker, as a crash would. In-flight queue messages stay invisible until their lease runs out;
    /// triggers wait and HTTP answers 503 until <see cref="RestartWorkerAsync"/>.
    /// </summary>
    public Task KillWorkerAsync() => _supervisor.KillAsync();

    /// <summary>Stops the worker if one runs, starts a new one and loads the functions again.</summary>
    public Task RestartWorkerAsync(CancellationToken cancellationToken = default) => _supervisor.RestartAsync(cancellationToken);

    /// <summary>Stops the triggers (releasing in-flight messages), stops serving HTTP, sends <c>worker_terminate</c>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _triggers.StopAsync();
        await _frontDoor.DisposeAsync();
        await _supervisor.StopAsync();
        await _rpc.DisposeAsync();
    }

    private static void Relay(DevHostOptions options, RpcLog log)
    {
        if (options.OnWorkerLog is not { } onWorkerLog)
        {
            return;
        }
        var entry = new WorkerLogEntry(
            (LogLevel)(int)log.Level,
            log.Category,
            log.Message,
            log.Exception is { } exception ? DescribeException(exception) : null,
            string.IsNullOrEmpty(log.InvocationId) ? null : log.InvocationId);
        try
        {
            onWorkerLog(entry);
        }
        catch (Exception)
        {
            // A failing log sink must not take the worker's stream down.
        }
    }

    private static string DescribeException(RpcException exception)
    {
        var head = string.IsNullOrEmpty(exception.Type) ? exception.Message : $"{exception.Type}: {exception.Message}";
        return string.IsNullOrEmpty(exception.StackTrace) || head.Contains(exception.StackTrace, StringComparison.Ordinal)
            ? head
            : head + Environment.NewLine + exception.StackTrace;
    }
}
