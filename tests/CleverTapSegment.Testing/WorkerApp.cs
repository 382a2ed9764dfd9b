using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using CleverTapSegment.DevHost;
using Microsoft.Extensions.Logging;

namespace CleverTapSegment.Testing;

/// <summary>What <see cref="WorkerApp.StartAsync(WorkerAppOptions)"/> starts the app with.</summary>
public sealed class WorkerAppOptions
{
    /// <summary>
    /// App settings in environment-variable form (<c>CleverTap__ApiBaseUrl</c>; <c>CleverTap:ApiBaseUrl</c> is
    /// converted). They override the baseline (see <see cref="UseSampleSettings"/>). Give at least
    /// <c>AzureWebJobsStorage</c> (the Azurite fixture's connection string) and the fake URLs
    /// (<c>CleverTap__ApiBaseUrl</c>, <c>Segment__ApiBaseUrl</c>); nothing may leave 127.0.0.1.
    /// </summary>
    public Dictionary<string, string?> Settings { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Start from the repository's <c>local.settings.sample.json</c> Values (every setting, safe local defaults),
    /// so a test names only what it changes. Default true. A developer's own <c>local.settings.json</c> is never read.
    /// </summary>
    public bool UseSampleSettings { get; set; } = true;

    /// <summary>The app's clock (its "now") and the dev host's timer clock; the system clock when null.</summary>
    public WorkerClock? Clock { get; set; }

    /// <summary>Every log entry of the worker, as it arrives (benchmarks print some).</summary>
    public Action<WorkerLogEntry>? OnWorkerLog { get; set; }

    /// <summary>
    /// How long a received queue message stays invisible while it runs (the host's 10 minutes when null). A test that
    /// kills the worker mid-invocation shortens it, so the messages it held come back within the test.
    /// </summary>
    public TimeSpan? QueueMessageLease { get; set; }
}

/// <summary>
/// The real app: the compiled isolated worker (<c>functions/bin/&lt;Configuration&gt;/net10.0</c>, built through the
/// test project's reference to it) run by the dev host in-process on a free 127.0.0.1 port, the way
/// <c>./dev run</c> and <c>func start</c> run it. For end-to-end tests.
/// <example>
/// <code>
/// await using var app = await WorkerApp.StartAsync(new WorkerAppOptions
/// {
///     Settings =
///     {
///         ["AzureWebJobsStorage"] = azurite.ConnectionString,
///         ["CleverTap__ApiBaseUrl"] = cleverTapFake.BaseAddress.ToString(),
///         ["Segment__ApiBaseUrl"] = segmentFake.BaseAddress.ToString(),
///     },
///     Clock = clock,                                          // optional: a WorkerClock
/// });
/// var response = await app.Client.PostAsync("api/segment", content);      // real HTTP to app.BaseAddress
/// await app.Monitor.FireTimerAsync("ExportScheduler", cancellationToken);  // run a timer function now
/// await app.Monitor.WaitForIdleAsync("export-work", cancellationToken);    // queue drained, nothing in flight
/// </code>
/// </example>
/// Queue listeners use real time (storage leases); set short <c>AzureFunctionsJobHost__extensions__queues__*</c>
/// values (e.g. <c>visibilityTimeout</c> 00:00:00) in <see cref="WorkerAppOptions.Settings"/> to retry at once.
/// Services of the app live in another process: a test reads storage itself (see <c>AppServices</c> in the tests).
/// </summary>
public sealed class WorkerApp : IAsyncDisposable
{
    /// <summary>Where the remote services point unless a test names its fakes: the discard port, nothing listens.</summary>
    public const string UnreachableLoopback = "http://127.0.0.1:9/";

    private readonly ConcurrentQueue<WorkerLogEntry> _problems;

    private WorkerApp(DevHostServer host, ConcurrentQueue<WorkerLogEntry> problems)
    {
        Host = host;
        _problems = problems;
        Client = new HttpClient { BaseAddress = host.BaseAddress };
    }

    /// <summary>The dev host running the worker.</summary>
    public DevHostServer Host { get; }

    /// <summary>The app's root, ending in a slash: <c>http://127.0.0.1:{port}/</c>.</summary>
    public Uri BaseAddress => Host.BaseAddress;

    /// <summary>A client for <see cref="BaseAddress"/> (real HTTP over loopback).</summary>
    public HttpClient Client { get; }

    /// <summary>The dev host's trigger monitor: wait for queues to drain, fire timers, see outcomes.</summary>
    public TriggerMonitor Monitor => Host.Monitor;

    /// <summary>The worker's warnings and errors so far (to explain a failure).</summary>
    public IReadOnlyCollection<WorkerLogEntry> Problems => _problems;

    /// <summary>The first ancestor of the test binaries holding the solution.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The worker build output the tests run: the functions project's output for this configuration.</summary>
    public static string AppDirectory { get; } = LocateAppDirectory();

    public static Task<WorkerApp> StartAsync(IReadOnlyDictionary<string, string?> settings, WorkerClock? clock = null)
    {
        var options = new WorkerAppOptions { Clock = clock };
        foreach (var (key, value) in settings)
            options.Settings[key] = value;
        return StartAsync(options);
    }

    public static async Task<WorkerApp> StartAsync(WorkerAppOptions options)
    {
        var hostOptions = new DevHostOptions { AppDirectory = AppDirectory, Urls = "http://127.0.0.1:0" };
        // CTSEG_DEBUG_DEVHOST=1 prints the dev host's own log (forwarding, triggers, the worker's output) to the console.
        if (Environment.GetEnvironmentVariable("CTSEG_DEBUG_DEVHOST") == "1")
            hostOptions.LoggerFactory = LoggerFactory.Create(logging => logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Debug));
        foreach (var (key, value) in BuildSettings(options))
            hostOptions.Settings[key] = value;
        var problems = new ConcurrentQueue<WorkerLogEntry>();
        hostOptions.OnWorkerLog = entry =>
        {
            if (entry.Level >= LogLevel.Warning)
                problems.Enqueue(entry);
            options.OnWorkerLog?.Invoke(entry);
        };
        if (options.Clock is { } clock)
            hostOptions.TimeProvider = clock.Fake;
        if (options.QueueMessageLease is { } lease)
            hostOptions.QueueMessageLease = lease;
        var host = await DevHostServer.StartAsync(hostOptions);
        var app = new WorkerApp(host, problems);
        try
        {
            await app.WarmUpAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return app;
    }

    /// <summary>
    /// A fresh worker process compiles every code path on its first request, which on a busy machine takes longer
    /// than the ingest deadline (4 s) the tests hold the app to. Two requests that change nothing (a storage health
    /// read, a dry-run mapping that sends nothing) pay for that first, as a long-running app would have.
    /// </summary>
    private async Task WarmUpAsync()
    {
        using (await Client.GetAsync("api/health"))
        {
        }
        using var dryRun = new StringContent("""{"type":"track","event":"Warm-up","userId":"warm-up"}""", System.Text.Encoding.UTF8, "application/json");
        using (await Client.PostAsync("api/segment?dryRun=true", dryRun))
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
    }

    private static Dictionary<string, string?> BuildSettings(WorkerAppOptions options)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (options.UseSampleSettings)
        {
            foreach (var (key, value) in ReadSampleSettings())
                settings[key] = value;
        }
        // Nothing may leave 127.0.0.1: unless a test points them at its fakes, the remote services resolve to a
        // loopback port nothing listens on (the discard port), never to CleverTap's or Segment's real hosts.
        settings["CleverTap__ApiBaseUrl"] = UnreachableLoopback;
        settings["Segment__ApiBaseUrl"] = UnreachableLoopback;
        foreach (var (key, value) in options.Settings)
            settings[ToSettingName(key)] = value;
        if (options.Clock is { } clock)
            settings["DevHost__ClockFile"] = clock.FilePath;
        return settings;
    }

    private static string ToSettingName(string key) => key.Replace(":", "__", StringComparison.Ordinal);

    private static IEnumerable<KeyValuePair<string, string?>> ReadSampleSettings()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot, "local.settings.sample.json")));
        foreach (var setting in document.RootElement.GetProperty("Values").EnumerateObject())
            yield return new(setting.Name, setting.Value.ValueKind == JsonValueKind.String ? setting.Value.GetString() : setting.Value.GetRawText());
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "CleverTapSegment.sln")))
                return directory.FullName;
        }
        throw new InvalidOperationException($"No CleverTapSegment.sln above {AppContext.BaseDirectory}.");
    }

    private static string LocateAppDirectory()
    {
        // The configuration this assembly was built in is the one its project reference built the worker in.
        var configuration = typeof(WorkerApp).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "WorkerConfiguration").Value!;
        var directory = Path.Combine(RepositoryRoot, "functions", "bin", configuration, "net10.0");
        if (!File.Exists(Path.Combine(directory, "functions.metadata")))
            throw new InvalidOperationException($"No worker build in {directory}: build functions/CleverTapSegment.Functions.csproj -c {configuration} first.");
        return directory;
    }
}
