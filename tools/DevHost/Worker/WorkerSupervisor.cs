using CleverTapSegment.DevHost.Rpc;
using Google.Protobuf.WellKnownTypes;

namespace CleverTapSegment.DevHost.Worker;

/// <summary>A running worker whose functions are loaded: its process, its stream, its HTTP endpoint, its function ids.</summary>
internal sealed class WorkerSession(WorkerProcess process, WorkerChannel channel, Uri? httpUri, IReadOnlyDictionary<string, string> functionIds)
{
    public WorkerProcess Process { get; } = process;
    public WorkerChannel Channel { get; } = channel;

    /// <summary>The worker's own Kestrel (capability <c>HttpUri</c>), where HTTP requests are forwarded.</summary>
    public Uri? HttpUri { get; } = httpUri;

    /// <summary>Function name → function id for this process (ids are per load).</summary>
    public IReadOnlyDictionary<string, string> FunctionIds { get; } = functionIds;

    /// <summary>Set before the host itself ends the process, so its exit is not reported as a crash.</summary>
    public bool Ending { get; set; }
}

/// <summary>
/// Starts, stops, kills and restarts the worker process and walks each new one through the handshake:
/// <c>start_stream</c> → <c>worker_init_request/response</c> → <c>functions_metadata_request</c> (or
/// <c>functions.metadata</c>) → one <c>function_load_request</c> per function. Triggers wait for a ready worker.
/// </summary>
internal sealed class WorkerSupervisor(
    DevHostOptions options,
    WorkerConnections connections,
    Uri rpcEndpoint,
    Action<RpcLog> onLog,
    ILogger logger)
{
    private const string HostVersion = "4.1000.0-devhost";
    private static readonly TimeSpan s_terminateGrace = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly TaskCompletionSource<int> _crashed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource<WorkerSession> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WorkerSession? _current;

    /// <summary>The functions of the first worker (the app does not change while the host runs).</summary>
    public IReadOnlyList<HostFunction> Functions { get; private set; } = [];

    public WorkerSession? Current => Volatile.Read(ref _current);

    /// <summary>Completes with the exit code if a worker exits without the host asking it to (0: it was told to stop by a signal).</summary>
    public Task<int> Crashed => _crashed.Task;

    /// <summary>The ready worker, waiting while none is (between a kill and a restart).</summary>
    public Task<WorkerSession> WaitForSessionAsync(CancellationToken cancellationToken) =>
        Volatile.Read(ref _ready).Task.WaitAsync(cancellationToken);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            if (_current is null)
            {
                Publish(await LaunchAsync(cancellationToken));
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public async Task KillAsync()
    {
        await _lifecycle.WaitAsync();
        try
        {
            if (Unpublish() is { } session)
            {
                session.Process.Kill();
                await session.Process.Exited;
                await session.Channel.Closed.WaitAsync(s_terminateGrace).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                session.Process.Dispose();
                logger.LogWarning("Worker process {ProcessId} killed", session.Process.Id);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            if (Unpublish() is { } running)
            {
                await TerminateAsync(running);
            }
            Publish(await LaunchAsync(cancellationToken));
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary><c>worker_terminate</c> with a grace period, then kill if it is still there.</summary>
    public async Task StopAsync()
    {
        await _lifecycle.WaitAsync();
        try
        {
            if (Unpublish() is { } running)
            {
                await TerminateAsync(running);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private async Task TerminateAsync(WorkerSession session)
    {
        session.Channel.Send(new StreamingMessage { WorkerTerminate = new WorkerTerminate { GracePeriod = Duration.FromTimeSpan(s_terminateGrace) } });
        if (await Task.WhenAny(session.Process.Exited, Task.Delay(s_terminateGrace + TimeSpan.FromSeconds(1))) != session.Process.Exited)
        {
            logger.LogWarning("Worker process {ProcessId} did not exit within {Grace} of worker_terminate; killing it", session.Process.Id, s_terminateGrace);
            session.Process.Kill();
            await session.Process.Exited;
        }
        session.Channel.Stop();
        await session.Channel.Closed.WaitAsync(s_terminateGrace).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        session.Process.Dispose();
        logger.LogInformation("Worker process {ProcessId} stopped", session.Process.Id);
    }

    private void Publish(WorkerSession session)
    {
        Volatile.Write(ref _current, session);
        _ready.TrySetResult(session);
        _ = WatchForCrashAsync(session);
    }

    private WorkerSession? Unpublish()
    {
        var session = Interlocked.Exchange(ref _current, null);
        if (session is not null)
        {
            session.Ending = true;
            if (_ready.Task.IsCompleted)
            {
                Volatile.Write(ref _ready, new TaskCompletionSource<WorkerSession>(TaskCreationOptions.RunContinuationsAsynchronously));
            }
        }
        return session;
    }

    private async Task WatchForCrashAsync(WorkerSession session)
    {
        var exitCode = await session.Process.Exited;
        if (session.Ending || Interlocked.CompareExchange(ref _current, null, session) != session)
        {
            return;
        }
        session.Ending = true;
        Volatile.Write(ref _ready, new TaskCompletionSource<WorkerSession>(TaskCreationOptions.RunContinuationsAsynchronously));
        // Exit code 0 is the worker stopping on its own signal (Ctrl-C in a terminal reaches it too), not a crash.
        logger.Log(exitCode == 0 ? LogLevel.Information : LogLevel.Error,
            "Worker process {ProcessId} exited with code {ExitCode}. Its last output:{NewLine}{Output}",
            session.Process.Id, exitCode, Environment.NewLine, session.Process.RecentOutput);
        _crashed.TrySetResult(exitCode);
    }

    private async Task<WorkerSession> LaunchAsync(CancellationToken cancellationToken)
    {
        var workerId = Guid.NewGuid().ToString();
        var connecting = connections.ExpectAsync(workerId, onLog);
        var process = WorkerProcess.Start(options.AppDirectory, options.Settings, rpcEndpoint, workerId, logger);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.WorkerStartTimeout);
        try
        {
            var channel = await WhileRunning(connecting, process, "connecting", timeout.Token);
            var appDirectory = options.AppDirectory;

            var init = (await WhileRunning(channel.RequestAsync(new StreamingMessage
            {
                WorkerInitRequest = new WorkerInitRequest
                {
                    HostVersion = HostVersion,
                    WorkerDirectory = appDirectory,
                    FunctionAppDirectory = appDirectory,
                },
            }, timeout.Token), process, "initializing", timeout.Token)).WorkerInitResponse;
            EnsureSucceeded(init.Result, "worker_init_request");
            Uri? httpUri = init.Capabilities.TryGetValue("HttpUri", out var uri) && Uri.TryCreate(uri, UriKind.Absolute, out var parsed) ? parsed : null;

            var indexed = (await WhileRunning(channel.RequestAsync(new StreamingMessage
            {
                FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = appDirectory },
            }, timeout.Token), process, "indexing functions", timeout.Token)).FunctionMetadataResponse;
            IReadOnlyList<RpcFunctionMetadata> metadata;
            if (indexed.UseDefaultMetadataIndexing)
            {
                metadata = FunctionsMetadataFile.Read(appDirectory);
            }
            else
            {
                EnsureSucceeded(indexed.Result, "functions_metadata_request");
                metadata = indexed.FunctionMetadataResults;
            }

            var functionIds = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var loads = new List<Task>();
            foreach (var function in metadata)
            {
                if (string.IsNullOrEmpty(function.FunctionId))
                {
                    function.FunctionId = Guid.NewGuid().ToString();
                }
                functionIds[function.Name] = function.FunctionId;
                loads.Add(LoadAsync(channel, process, function, timeout.Token));
            }
            await Task.WhenAll(loads);
            if (httpUri is not null)
            {
                await WhileRunning(WaitUntilListeningAsync(httpUri, timeout.Token), process, "starting its HTTP endpoint", timeout.Token);
            }

            if (Functions.Count == 0)
            {
                Functions = metadata.Select(HostFunction.FromMetadata).ToList();
            }
            logger.LogInformation("Worker process {ProcessId} ready: {Count} functions loaded ({Functions}); HTTP at {HttpUri}",
                process.Id, functionIds.Count, string.Join(", ", functionIds.Keys), httpUri?.ToString() ?? "(none)");
            return new WorkerSession(process, channel, httpUri, functionIds);
        }
        catch (Exception exception)
        {
            connections.Forget(workerId);
            process.Kill();
            process.Dispose();
            if (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException(
                    $"The worker did not load its functions within {options.WorkerStartTimeout}. Its last output:{Environment.NewLine}{process.RecentOutput}", exception);
            }
            throw;
        }
    }

    /// <summary>
    /// The worker announces its <c>HttpUri</c> before its Kestrel accepts connections; a request forwarded in that
    /// gap would be refused, so the worker counts as ready once a connection succeeds.
    /// </summary>
    private static async Task<bool> WaitUntilListeningAsync(Uri httpUri, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                using var probe = new System.Net.Sockets.TcpClient();
                await probe.ConnectAsync(httpUri.Host, httpUri.Port, cancellationToken);
                return true;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
            }
        }
    }

    private static async Task LoadAsync(WorkerChannel channel, WorkerProcess process, RpcFunctionMetadata function, CancellationToken cancellationToken)
    {
        var reply = await WhileRunning(channel.RequestAsync(new StreamingMessage
        {
            FunctionLoadRequest = new FunctionLoadRequest { FunctionId = function.FunctionId, Metadata = function },
        }, cancellationToken), process, $"loading {function.Name}", cancellationToken);
        EnsureSucceeded(reply.FunctionLoadResponse.Result, $"function_load_request for {function.Name}");
    }

    /// <summary>Awaits a start-up step, failing with the worker's own output if the process exits first.</summary>
    private static async Task<T> WhileRunning<T>(Task<T> step, WorkerProcess process, string stage, CancellationToken cancellationToken)
    {
        var finished = await Task.WhenAny(step, process.Exited).WaitAsync(cancellationToken);
        if (finished != step)
        {
            throw new InvalidOperationException(
                $"The worker exited with code {process.Exited.Result} while {stage}. Its last output:{Environment.NewLine}{process.RecentOutput}");
        }
        return await step;
    }

    private static void EnsureSucceeded(StatusResult? result, string step)
    {
        if (result is null || result.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException($"The worker failed {step}: {result?.Exception?.Message ?? result?.Result ?? "no result"}");
        }
    }
}
