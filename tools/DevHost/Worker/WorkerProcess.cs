using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace CleverTapSegment.DevHost.Worker;

/// <summary>
/// The worker as a child process: <c>dotnet &lt;defaultWorkerPath&gt;</c> in the app folder with the arguments and
/// environment the Functions host gives it. The host-endpoint, worker-id, request-id and max-message-length
/// arguments are all required: without the last, the worker's gRPC client rejects the stream at start.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    private const int KeptOutputLines = 50;

    // Settings of the dev host's own process that would make the worker's Kestrel bind somewhere else.
    private static readonly string[] s_inheritedToDrop =
        ["ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_URLS", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT"];

    private readonly Process _process;
    private readonly Queue<string> _output = new();
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WorkerProcess(Process process) => _process = process;

    public int Id { get; private set; }

    /// <summary>Completes with the exit code when the process ends.</summary>
    public Task<int> Exited => _exited.Task;

    /// <summary>The last lines the worker wrote to stdout/stderr, for start-up failures.</summary>
    public string RecentOutput
    {
        get { lock (_output) return string.Join(Environment.NewLine, _output); }
    }

    public static WorkerProcess Start(
        string appDirectory,
        IReadOnlyDictionary<string, string?> settings,
        Uri hostEndpoint,
        string workerId,
        ILogger logger)
    {
        var (executable, workerPath) = ReadWorkerConfig(appDirectory);
        var startInfo = new ProcessStartInfo(executable)
        {
            WorkingDirectory = appDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(workerPath);
        foreach (var argument in new[]
                 {
                     "--functions-uri", hostEndpoint.ToString(),
                     "--functions-worker-id", workerId,
                     "--functions-request-id", workerId,
                     "--functions-grpc-max-message-length", int.MaxValue.ToString(CultureInfo.InvariantCulture),
                 })
        {
            startInfo.ArgumentList.Add(argument);
        }
        foreach (var name in s_inheritedToDrop)
        {
            startInfo.Environment.Remove(name);
        }
        foreach (var (name, value) in settings)
        {
            startInfo.Environment[name] = value;
        }
        // The worker's HTTP pipeline finds host.json and the function metadata through this one (without it every
        // HTTP call fails after 15 s: "Cannot determine script root directory").
        startInfo.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = appDirectory;
        startInfo.Environment["FUNCTIONS_WORKER_DIRECTORY"] = appDirectory;
        startInfo.Environment["AzureWebJobsScriptRoot"] = appDirectory;
        startInfo.Environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        startInfo.Environment["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development";

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process);
        process.OutputDataReceived += (_, line) => worker.Keep(line.Data, logger);
        process.ErrorDataReceived += (_, line) => worker.Keep(line.Data, logger);
        process.Exited += (_, _) => worker._exited.TrySetResult(SafeExitCode(process));
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start the worker: {executable} {workerPath}.");
        }
        worker.Id = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        logger.LogInformation("Worker process {ProcessId} started: {Executable} {WorkerPath} in {AppDirectory}", process.Id, executable, workerPath, appDirectory);
        return worker;
    }

    /// <summary>SIGKILL, no goodbye: what a crash looks like to the host.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Keep(string? line, ILogger logger)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.Enqueue(line);
            if (_output.Count > KeptOutputLines)
            {
                _output.Dequeue();
            }
        }
        // The worker's ILogger output also arrives as rpc_log; its console is only interesting when it fails.
        logger.LogDebug("worker {ProcessId}: {Line}", Id, line);
    }

    private static int SafeExitCode(Process process)
    {
        try
        {
            return process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            return -1;
        }
    }

    /// <summary>
    /// <c>worker.config.json</c>: <c>description.defaultExecutablePath</c> (<c>dotnet</c>) and
    /// <c>defaultWorkerPath</c> (the app's dll), relative to the app folder.
    /// </summary>
    private static (string Executable, string WorkerPath) ReadWorkerConfig(string appDirectory)
    {
        var path = Path.Combine(appDirectory, "worker.config.json");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} is missing: --app must be the build output of a .NET isolated worker project.");
        }
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var description = document.RootElement.GetProperty("description");
        var executable = description.TryGetProperty("defaultExecutablePath", out var exe) ? exe.GetString() : null;
        var workerPath = description.TryGetProperty("defaultWorkerPath", out var worker) ? worker.GetString() : null;
        if (string.IsNullOrEmpty(workerPath))
        {
            throw new InvalidOperationException($"{path} has no description.defaultWorkerPath.");
        }
        if (string.IsNullOrEmpty(executable) || executable == "dotnet")
        {
            // The SDK sets DOTNET_HOST_PATH for the processes it starts (tests, dotnet run); else dotnet on PATH.
            executable = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        }
        return (executable, Path.Combine(appDirectory, workerPath));
    }
}
