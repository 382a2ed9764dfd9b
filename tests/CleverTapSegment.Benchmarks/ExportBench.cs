using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CleverTapSegment.Testing;

namespace CleverTapSegment.Benchmarks;

/// <summary>
/// <c>./dev bench export [records…]</c>: the real app, the isolated worker in its own process under the dev host (as
/// <c>./dev run</c> runs it) on Azurite, exports N event records from the fake CleverTap (pages of 5000, no latency)
/// into the fake Segment, end to end: management API, fan-out, queue worker, run completion. The fakes run in this
/// process (with the dev host), so the worker's figures are its own: records/s, Segment requests and their average size, and the app
/// process's peak working set (sampled every 50 ms) and CPU time. Default: 100,000 then 1,000,000 records, to show
/// memory stays flat as the count grows. Targets (issue 3): ≥ 20,000 records/s, peak ≤ 300 MB.
/// </summary>
internal static class ExportBench
{
    private const string AdminKey = "bench-admin-key";
    private const string WriteKey = "bench-write-key";
    private const int Days = 5;
    private static readonly string[] Events = ["Charged", "App Launched"];
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(30);

    public static async Task<int> RunAsync(string[] args)
    {
        var sizes = args.Length > 0
            ? args.Select(arg => long.Parse(arg, NumberStyles.AllowThousands, CultureInfo.InvariantCulture)).ToArray()
            : [100_000L, 1_000_000L];
        Console.WriteLine($"export bench: {Events.Length} events x {Days} days = {Events.Length * Days} work items, CleverTap pages of 5000, no latency");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {LoadAverage()} at start (wall-clock rates depend on it; app CPU seconds much less)");
        Console.WriteLine($"{"records",10} {"seconds",8} {"records/s",10} {"app CPU s",9} {"rec/CPU-s",10} {"fakes CPU s",11} {"segment reqs",12} {"avg batch KB",12} {"idle MB",7} {"app peak MB",11} {"max CT calls",12}");
        await using var azurite = await AzuriteProcess.StartAsync();
        foreach (var size in sizes)
        {
            if (!await RunOnceAsync(azurite, size))
                return 1;
        }
        return 0;
    }

    private static async Task<bool> RunOnceAsync(AzuriteProcess azurite, long records)
    {
        var perDay = (int)Math.Ceiling(records / (double)(Events.Length * Days));
        await using var cleverTap = await FakeCleverTapExportApi.StartAsync(new FakeCleverTapExportOptions { RecordsPerDay = (_, _) => perDay });
        await using var segment = await FakeSegment.StartAsync(new FakeSegmentOptions { WriteKeys = [WriteKey], KeepMessages = false, TrackMessageIds = false });
        await using var app = await AppProcess.StartAsync(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["CleverTap__AccountId"] = cleverTap.Options.AccountId,
            ["CleverTap__Passcode"] = cleverTap.Options.Passcode,
            ["CleverTap__Region"] = "eu1",
            ["CleverTap__ApiBaseUrl"] = cleverTap.BaseAddress.ToString(),
            ["CleverTap__TimeZone"] = "UTC",
            ["Segment__ApiBaseUrl"] = segment.BaseAddress.ToString(),
            ["Admin__ApiKey"] = AdminKey,
            ["Exports__PageSize"] = "5000",
            ["Exports__SchedulerSchedule"] = "0 */15 * * * *",
            ["Logging__LogLevel__Default"] = "Warning",
        });
        var idle = app.SampleWorkingSet();
        using var client = new HttpClient { BaseAddress = app.BaseAddress };
        client.DefaultRequestHeaders.Add("x-functions-key", AdminKey);
        using var limit = new CancellationTokenSource(RunLimit);

        var nickname = $"bench-{records}";
        (await client.PostAsJsonAsync("api/partners", new { nickname, writeKey = WriteKey, region = "US" }, limit.Token)).EnsureSuccessStatusCode();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);

        var cpuBefore = app.CpuTime;
        var fakesCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        using var created = await client.PostAsJsonAsync("api/exports", new
        {
            partner = nickname,
            dataType = "events",
            events = new { selection = "selected", names = Events },
            frequency = "oneTime",
            oneTime = new { from = today.AddDays(-Days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), to = today.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) },
        }, limit.Token);
        created.EnsureSuccessStatusCode();
        var id = JsonNode.Parse(await created.Content.ReadAsStringAsync(limit.Token))!["id"]!.GetValue<string>();

        // A bench may poll: it measures, it does not assert. The status check is cheap next to a 5000-record page.
        JsonNode export;
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        do
        {
            await poll.WaitForNextTickAsync(limit.Token);
            export = JsonNode.Parse(await client.GetStringAsync($"api/exports/{id}", limit.Token))!;
        }
        while (export["status"]!.GetValue<string>() is "PENDING" or "RUNNING");
        stopwatch.Stop();
        var cpu = (app.CpuTime - cpuBefore).TotalSeconds;
        var fakesCpu = (Process.GetCurrentProcess().TotalProcessorTime - fakesCpuBefore).TotalSeconds;

        var status = export["status"]!.GetValue<string>();
        var exported = export["counters"]!["exported"]!.GetValue<long>();
        if (status != "DONE" || exported != segment.AcceptedMessages)
        {
            Console.Error.WriteLine($"bench: export ended {status} with {exported} exported, Segment accepted {segment.AcceptedMessages}: {export}");
            Console.Error.WriteLine(app.Output);
            return false;
        }
        var requests = segment.RequestCount;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{exported,10:N0} {stopwatch.Elapsed.TotalSeconds,8:F1} {exported / stopwatch.Elapsed.TotalSeconds,10:N0} {cpu,9:F1} {exported / cpu,10:N0} {fakesCpu,11:F1} {requests,12:N0} {segment.Bytes / (double)Math.Max(1, requests) / 1024,12:F1} {idle / 1048576.0,7:F0} {app.PeakWorkingSet / 1048576.0,11:F0} {cleverTap.MaxConcurrentCallsObserved,12}"));
        return true;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    /// <summary>
    /// The worker under the dev host (<see cref="WorkerApp"/>): the worker is its own process, whose CPU time and
    /// working set are sampled until it is disposed. The dev host runs in this process, so its CPU counts with the fakes'.
    /// </summary>
    private sealed class AppProcess : IAsyncDisposable
    {
        private readonly WorkerApp _app;
        private readonly Process _process;
        private readonly CancellationTokenSource _stopSampling = new();
        private readonly Task _sampling;
        private readonly System.Text.StringBuilder _output = new();

        private AppProcess(WorkerApp app)
        {
            _app = app;
            _process = Process.GetProcessById(app.Host.WorkerProcessId);
            _sampling = Task.Run(SampleAsync);
        }

        public Uri BaseAddress => _app.BaseAddress;

        public long PeakWorkingSet { get; private set; }

        /// <summary>The worker's working set now (before the export starts: what the idle app costs).</summary>
        public long SampleWorkingSet()
        {
            _process.Refresh();
            return _process.WorkingSet64;
        }

        public TimeSpan CpuTime
        {
            get
            {
                _process.Refresh();
                return _process.TotalProcessorTime;
            }
        }

        public string Output
        {
            get { lock (_output) return _output.ToString(); }
        }

        public static async Task<AppProcess> StartAsync(IReadOnlyDictionary<string, string?> settings)
        {
            AppProcess? started = null;
            var options = new WorkerAppOptions { OnWorkerLog = entry => started?.Append($"{entry.Level} {entry.Category}: {entry.Message} {entry.Exception}") };
            foreach (var (key, value) in settings)
                options.Settings[key] = value;
            BenchAppSettings.AddTo(options.Settings);
            started = new AppProcess(await WorkerApp.StartAsync(options));
            return started;
        }

        public async ValueTask DisposeAsync()
        {
            _stopSampling.Cancel();
            await _sampling;
            await _app.DisposeAsync();
            _process.Dispose();
            _stopSampling.Dispose();
        }

        private void Append(string? line)
        {
            if (line is null)
                return;
            lock (_output)
                _output.AppendLine(line);
        }

        private async Task SampleAsync()
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
            try
            {
                do
                {
                    _process.Refresh();
                    if (_process.HasExited)
                        return;
                    PeakWorkingSet = Math.Max(PeakWorkingSet, _process.WorkingSet64);
                }
                while (await timer.WaitForNextTickAsync(_stopSampling.Token));
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
