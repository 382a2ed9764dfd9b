using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CleverTapSegment.Testing;

namespace CleverTapSegment.Benchmarks;

/// <summary>
/// <c>./dev bench forwarding [--seconds N] [--stored]</c>: the SegmentIngest endpoint on the standalone app (in-process, Azurite),
/// against a fake CleverTap with 100 ms latency and a hard limit of 3 concurrent requests (429 beyond), with and
/// without coalescing, and for the single-event scenarios also with <c>Ingest__Acknowledge=stored</c> (answered once the
/// records are in the spool queue, delivered afterwards by <c>SpoolDelivery</c>). <c>--stored</c> runs only the stored
/// scenarios and the probes. Measures and prints; asserts nothing.
/// </summary>
internal static class ForwardingBench
{
    private static readonly TimeSpan CleverTapLatency = TimeSpan.FromMilliseconds(100);
    private const int CleverTapConcurrencyLimit = 3;

    /// <summary>How long a stored run may take to drain its spool after sending stops before its figures are taken as they are.</summary>
    private static readonly TimeSpan DrainLimit = TimeSpan.FromMinutes(3);

    public static async Task<int> RunAsync(string[] args)
    {
        var secondsAt = Array.IndexOf(args, "--seconds");
        var seconds = secondsAt >= 0 && secondsAt + 1 < args.Length ? double.Parse(args[secondsAt + 1], CultureInfo.InvariantCulture) : 10;
        var storedOnly = args.Contains("--stored");
        var duration = TimeSpan.FromSeconds(seconds);
        Console.WriteLine($"forwarding bench: fake CleverTap latency {CleverTapLatency.TotalMilliseconds} ms, {CleverTapConcurrencyLimit} concurrent requests max, {seconds} s per scenario, {Environment.ProcessorCount} cores");
        Console.WriteLine($"load average {LoadAverage()} at start, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");

        await using var azurite = await AzuriteProcess.StartAsync();
        await using var cleverTap = await FakeCleverTap.StartAsync();
        cleverTap.Latency = CleverTapLatency;
        cleverTap.MaxConcurrentRequests = CleverTapConcurrencyLimit;

        var scenarios = new (string Name, int Senders, int EventsPerRequest, bool Stored)[]
        {
            ("(a) 64 senders x single events", 64, 1, true),
            // Stored with 1000-event arrays: acknowledgement outruns CleverTap, so the spool backs up and its drain shows
            // the delivery side's own ceiling (the single-event runs only deliver what the endpoint lets in).
            ("(b) 8 senders x 1000-event arrays", 8, 1000, true),
            // 64 senders that each wait for their answer cannot exceed 64 / latency (≈ 640 events/s at 100 ms);
            // this shows what coalescing does with the concurrency Segment really brings when busy.
            ("(c) 1024 senders x single events", 1024, 1, true),
        };
        // Both apps run side by side and each scenario measures one right after the other, so neither gains from
        // running second (JIT tiering, a machine that got busier meanwhile).
        await using var stored = await StartAppAsync(azurite, cleverTap, coalesce: true, acknowledgeStored: true);
        using var storedClient = NewClient(stored);
        if (storedOnly)
        {
            await RunStoredScenarioAsync(storedClient, cleverTap, 16, 1, TimeSpan.FromSeconds(2));
            foreach (var (name, senders, eventsPerRequest, _) in scenarios)
                Console.WriteLine($"{name,-36} stored       {await RunStoredScenarioAsync(storedClient, cleverTap, senders, eventsPerRequest, duration)}");
            await RunProbesAsync(azurite, storedClient, seconds);
            return 0;
        }
        await using var coalescing = await StartAppAsync(azurite, cleverTap, coalesce: true);
        await using var baseline = await StartAppAsync(azurite, cleverTap, coalesce: false);
        var apps = new[] { (Coalesce: true, App: coalescing), (Coalesce: false, App: baseline) };
        var clients = apps.ToDictionary(app => app.Coalesce, app => NewClient(app.App));
        foreach (var client in clients.Values)
        {
            // Warm-up of both request shapes (JIT, connections, the table).
            await RunScenarioAsync(client, cleverTap, 16, 1, TimeSpan.FromSeconds(2));
            await RunScenarioAsync(client, cleverTap, 4, 1000, TimeSpan.FromSeconds(2));
        }
        await RunStoredScenarioAsync(storedClient, cleverTap, 16, 1, TimeSpan.FromSeconds(2));
        var figures = new Dictionary<(string, bool), Figures>();
        foreach (var (name, senders, eventsPerRequest, runStored) in scenarios)
        {
            foreach (var coalesce in new[] { true, false })
            {
                var result = await RunScenarioAsync(clients[coalesce], cleverTap, senders, eventsPerRequest, duration);
                figures[(name, coalesce)] = result;
                Console.WriteLine($"{name,-36} coalesce={(coalesce ? "on " : "off")} {result}");
            }
            if (runStored)
                Console.WriteLine($"{name,-36} stored       {await RunStoredScenarioAsync(storedClient, cleverTap, senders, eventsPerRequest, duration)}");
        }
        foreach (var client in clients.Values)
            client.Dispose();

        Console.WriteLine();
        foreach (var (name, _, _, _) in scenarios)
        {
            var on = figures[(name, true)];
            var off = figures[(name, false)];
            Console.WriteLine($"{name,-36} coalescing/baseline: events/s x{Ratio(on.EventsPerSecond, off.EventsPerSecond)}, p99 latency x{Ratio(on.P99.TotalMilliseconds, off.P99.TotalMilliseconds)}");
        }
        await RunProbesAsync(azurite, storedClient, seconds);

        // Parse + map + serialise without HTTP: the per-core ceiling under the figures above.
        Console.WriteLine();
        return await MappingBench.RunAsync(args);
    }

    private static async Task RunProbesAsync(AzuriteProcess azurite, HttpClient storedClient, double seconds)
    {
        // Where a stored acknowledgement's time goes: the same app answering without storage (a dry run maps and
        // answers, writes nothing), and Azurite's queue writes alone, with as many writers as the spool writer keeps.
        Console.WriteLine();
        var probeTime = TimeSpan.FromSeconds(Math.Min(seconds, 5));
        var dryRun = await RunProbeAsync(64, probeTime, async sender =>
        {
            using var response = await storedClient.PostAsync("api/segment?dryRun=true", new StringContent(Body($"probe-{sender}", 1), Encoding.UTF8, "application/json"));
            await response.Content.ReadAsByteArrayAsync();
            return response.IsSuccessStatusCode;
        });
        Console.WriteLine($"probe: stored app, dry run (HTTP + dev host + worker + mapping, no storage), 64 senders   {dryRun}");
        var probeQueue = new Azure.Storage.Queues.QueueClient(azurite.ConnectionString, "bench-probe");
        await probeQueue.CreateIfNotExistsAsync();
        var message = BinaryData.FromString(new string('x', ProbeMessageBytes));
        var queueWrites = await RunProbeAsync(ProbeQueueWriters, probeTime, async _ =>
        {
            await probeQueue.SendMessageAsync(message);
            return true;
        });
        Console.WriteLine($"probe: Azurite queue writes of {ProbeMessageBytes / 1024} KiB, {ProbeQueueWriters} writers (the spool writer's slots per account)   {queueWrites}");
        await probeQueue.DeleteAsync();
    }

    private static HttpClient NewClient(WorkerApp app) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = 2048 }) { BaseAddress = app.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    private static Task<WorkerApp> StartAppAsync(AzuriteProcess azurite, FakeCleverTap cleverTap, bool coalesce, bool acknowledgeStored = false)
    {
        var options = new WorkerAppOptions
        {
            Settings =
            {
                ["AzureWebJobsStorage"] = azurite.ConnectionString,
                ["CleverTap__ApiBaseUrl"] = cleverTap.BaseAddress.ToString(),
                ["CleverTap__AccountId"] = cleverTap.AccountId,
                ["CleverTap__Passcode"] = cleverTap.Passcode,
                ["CleverTap__MaxConcurrentUploads"] = CleverTapConcurrencyLimit.ToString(CultureInfo.InvariantCulture),
                ["Ingest__Coalesce"] = coalesce ? "true" : "false",
                ["Ingest__Acknowledge"] = acknowledgeStored ? "stored" : "delivered",
                // All apps share one Azurite: only the stored app drains the spool, so its delivery is one instance's.
                ["AzureWebJobs.SpoolDelivery.Disabled"] = acknowledgeStored ? "false" : "true",
                ["Logging__LogLevel__Default"] = "Error",
            },
        };
        BenchAppSettings.AddTo(options.Settings);
        return WorkerApp.StartAsync(options);
    }

    private static string Ratio(double a, double b) => b <= 0 ? "∞" : (a / b).ToString("0.0", CultureInfo.InvariantCulture);

    private static async Task<Figures> RunScenarioAsync(HttpClient client, FakeCleverTap cleverTap, int senders, int eventsPerRequest, TimeSpan duration)
    {
        cleverTap.Reset(); // keeps the fake's memory flat across scenarios
        var throttledBefore = cleverTap.Throttled;
        var latencies = new List<double>[senders];
        var deliveredEvents = new long[senders];
        var failedRequests = new long[senders];
        var stopwatch = Stopwatch.StartNew();
        var run = Guid.NewGuid().ToString("N")[..8];

        await Task.WhenAll(Enumerable.Range(0, senders).Select(sender => Task.Run(async () =>
        {
            latencies[sender] = [];
            for (var n = 0; stopwatch.Elapsed < duration; n++)
            {
                var body = Body($"{run}-{sender}-{n}", eventsPerRequest);
                var started = Stopwatch.GetTimestamp();
                using var response = await client.PostAsync("api/segment", new StringContent(body, Encoding.UTF8, "application/json"));
                await response.Content.ReadAsByteArrayAsync();
                if (response.IsSuccessStatusCode)
                {
                    latencies[sender].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    deliveredEvents[sender] += eventsPerRequest;
                }
                else
                {
                    failedRequests[sender]++;
                }
            }
        })));
        var elapsed = stopwatch.Elapsed;

        var sorted = latencies.SelectMany(list => list).Order().ToArray();
        var uploads = cleverTap.Uploads.Where(upload => upload.Status == 200).ToList();
        return new Figures(
            EventsPerSecond: deliveredEvents.Sum() / elapsed.TotalSeconds,
            P50: TimeSpan.FromMilliseconds(Percentile(sorted, 0.50)),
            P99: TimeSpan.FromMilliseconds(Percentile(sorted, 0.99)),
            Uploads: uploads.Count,
            RecordsPerUpload: uploads.Count == 0 ? 0 : (double)uploads.Sum(upload => upload.Accepted) / uploads.Count,
            Throttled: cleverTap.Throttled - throttledBefore,
            FailedRequests: failedRequests.Sum());
    }

    /// <summary>
    /// Senders against the stored app for <paramref name="duration"/>, then waits (on the fake's signal)
    /// until CleverTap has as many records as were acknowledged, or <see cref="DrainLimit"/>. Each acknowledged event
    /// is matched to its CleverTap record by identity (<c>user-{id}</c>, unique per event).
    /// </summary>
    private static async Task<StoredFigures> RunStoredScenarioAsync(HttpClient client, FakeCleverTap cleverTap, int senders, int eventsPerRequest, TimeSpan duration)
    {
        cleverTap.Reset();
        var throttledBefore = cleverTap.Throttled;
        var acknowledged = new List<(string Identity, long AcknowledgedAt, double LatencyMs)>[senders];
        var failedRequests = new long[senders];
        var stopwatch = Stopwatch.StartNew();
        var run = Guid.NewGuid().ToString("N")[..8];

        await Task.WhenAll(Enumerable.Range(0, senders).Select(sender => Task.Run(async () =>
        {
            acknowledged[sender] = [];
            for (var n = 0; stopwatch.Elapsed < duration; n++)
            {
                var id = $"{run}-{sender}-{n}";
                var started = Stopwatch.GetTimestamp();
                using var response = await client.PostAsync("api/segment", new StringContent(Body(id, eventsPerRequest), Encoding.UTF8, "application/json"));
                await response.Content.ReadAsByteArrayAsync();
                var answeredAt = Stopwatch.GetTimestamp();
                var latency = Stopwatch.GetElapsedTime(started, answeredAt).TotalMilliseconds;
                if (response.IsSuccessStatusCode && eventsPerRequest == 1)
                    acknowledged[sender].Add(($"user-{id}", answeredAt, latency));
                else if (response.IsSuccessStatusCode)
                    acknowledged[sender].AddRange(Enumerable.Range(0, eventsPerRequest).Select(i => ($"user-{id}-{i}", answeredAt, latency)));
                else
                    failedRequests[sender]++;
            }
        })));
        var sendingTime = stopwatch.Elapsed;
        var sendingEnded = Stopwatch.GetTimestamp();
        var acks = acknowledged.SelectMany(list => list).ToList();
        var drained = await cleverTap.WaitUntilAsync(fake => fake.AcceptedCount >= acks.Count, DrainLimit);

        var arrivals = cleverTap.Arrivals;
        var arrivedAt = new Dictionary<string, long>(arrivals.Count);
        foreach (var arrival in arrivals)
            arrivedAt.TryAdd(arrival.Record["identity"]?.GetValue<string>() ?? "", arrival.AcceptedAt);
        var ackToCleverTap = acks.Where(ack => arrivedAt.ContainsKey(ack.Identity))
            .Select(ack => Stopwatch.GetElapsedTime(ack.AcknowledgedAt, arrivedAt[ack.Identity]).TotalMilliseconds).Order().ToArray();
        var firstAck = acks.Count == 0 ? 0 : acks.Min(ack => ack.AcknowledgedAt);
        var lastArrival = arrivals.Count == 0 ? firstAck : arrivals.Max(arrival => arrival.AcceptedAt);
        var deliverySeconds = Stopwatch.GetElapsedTime(firstAck, lastArrival).TotalSeconds;
        // Once the senders stop, delivery has the machine to itself: its own ceiling, not what it got beside the intake.
        var drainSeconds = lastArrival > sendingEnded ? Stopwatch.GetElapsedTime(sendingEnded, lastArrival).TotalSeconds : 0;
        var drainedRecords = arrivals.Count(arrival => arrival.AcceptedAt > sendingEnded);
        // Per request, as the delivered runs count it (an array's events share one answer).
        var latencies = acknowledged.SelectMany(list => list.Where((_, i) => i % eventsPerRequest == 0)).Select(ack => ack.LatencyMs).Order().ToArray();
        var uploads = cleverTap.Uploads.Where(upload => upload.Status == 200).ToList();
        return new StoredFigures(
            AcknowledgedPerSecond: acks.Count / sendingTime.TotalSeconds,
            P50: TimeSpan.FromMilliseconds(Percentile(latencies, 0.50)),
            P99: TimeSpan.FromMilliseconds(Percentile(latencies, 0.99)),
            DeliveredPerSecond: deliverySeconds <= 0 ? 0 : arrivals.Count / deliverySeconds,
            DrainPerSecond: drainSeconds < 1 ? double.NaN : drainedRecords / drainSeconds,
            AckToCleverTapP99: TimeSpan.FromMilliseconds(Percentile(ackToCleverTap, 0.99)),
            DrainAfterSending: lastArrival > sendingEnded ? Stopwatch.GetElapsedTime(sendingEnded, lastArrival) : TimeSpan.Zero,
            Uploads: uploads.Count,
            RecordsPerUpload: uploads.Count == 0 ? 0 : (double)uploads.Sum(upload => upload.Accepted) / uploads.Count,
            Throttled: cleverTap.Throttled - throttledBefore,
            FailedRequests: failedRequests.Sum(),
            Missing: acks.Count - ackToCleverTap.Length,
            DrainLimitReached: !drained);
    }

    /// <summary>A spool message of a dozen mapped track records is about this size.</summary>
    private const int ProbeMessageBytes = 8 * 1024;

    /// <summary>As many as <c>SpoolWriter.WritesPerAccount</c>.</summary>
    private const int ProbeQueueWriters = 8;

    /// <summary><paramref name="workers"/> loops calling <paramref name="operation"/> for <paramref name="duration"/>: operations/s and latency.</summary>
    private static async Task<string> RunProbeAsync(int workers, TimeSpan duration, Func<int, Task<bool>> operation)
    {
        var latencies = new List<double>[workers];
        var failures = 0L;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(worker => Task.Run(async () =>
        {
            latencies[worker] = [];
            while (stopwatch.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                if (await operation(worker))
                    latencies[worker].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                else
                    Interlocked.Increment(ref failures);
            }
        })));
        var sorted = latencies.SelectMany(list => list).Order().ToArray();
        return string.Create(CultureInfo.InvariantCulture,
            $"{sorted.Length / stopwatch.Elapsed.TotalSeconds,7:0}/s  p50 {Percentile(sorted, 0.50),5:0} ms  p99 {Percentile(sorted, 0.99),5:0} ms  failures {failures}");
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    private static double Percentile(double[] sorted, double percentile) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(percentile * sorted.Length) - 1)];

    /// <summary>A track event like a typical web source sends (8 properties), or an array of them.</summary>
    private static string Body(string prefix, int events)
    {
        if (events == 1)
            return Track(prefix).ToJsonString();
        return new JsonArray([.. Enumerable.Range(0, events).Select(i => (JsonNode)Track($"{prefix}-{i}"))]).ToJsonString();
    }

    private static JsonObject Track(string id) => new()
    {
        ["type"] = "track",
        ["event"] = "Product Viewed",
        ["userId"] = $"user-{id}",
        ["anonymousId"] = "3f0c6a3e-9f5e-4a5b-8b1e-2f6d3c4b5a69",
        ["messageId"] = $"msg-{id}",
        ["timestamp"] = "2026-11-22T04:00:00.000Z",
        ["context"] = new JsonObject { ["ip"] = "203.0.113.7", ["library"] = new JsonObject { ["name"] = "analytics.js", ["version"] = "5.2.0" } },
        ["properties"] = new JsonObject
        {
            ["product_id"] = "507f1f77bcf86cd799439011", ["sku"] = "G-32", ["category"] = "Games", ["name"] = "Monopoly: 3rd Edition",
            ["brand"] = "Hasbro", ["variant"] = "200 pieces", ["price"] = 18.99, ["currency"] = "USD",
        },
    };

    private sealed record StoredFigures(double AcknowledgedPerSecond, TimeSpan P50, TimeSpan P99, double DeliveredPerSecond, double DrainPerSecond, TimeSpan AckToCleverTapP99,
        TimeSpan DrainAfterSending, int Uploads, double RecordsPerUpload, int Throttled, long FailedRequests, int Missing, bool DrainLimitReached)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{AcknowledgedPerSecond,9:0} events/s acked ack p50 {P50.TotalMilliseconds,4:0} ms  ack p99 {P99.TotalMilliseconds,5:0} ms  delivered {DeliveredPerSecond,6:0} records/s (after sending: {(double.IsNaN(DrainPerSecond) ? "-" : DrainPerSecond.ToString("0", CultureInfo.InvariantCulture))}/s)  ack→CleverTap p99 {AckToCleverTapP99.TotalMilliseconds,6:0} ms  drained {DrainAfterSending.TotalSeconds:0.0} s after sending  uploads {Uploads,5}  records/upload {RecordsPerUpload,6:0.0}  429s {Throttled,4}  non-2xx answers {FailedRequests}  acked but not at CleverTap {Missing}{(DrainLimitReached ? $" (drain limit of {DrainLimit.TotalSeconds:0} s reached)" : "")}");
    }

    private sealed record Figures(double EventsPerSecond, TimeSpan P50, TimeSpan P99, int Uploads, double RecordsPerUpload, int Throttled, long FailedRequests)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{EventsPerSecond,9:0} events/s  p50 {P50.TotalMilliseconds,6:0} ms  p99 {P99.TotalMilliseconds,6:0} ms  uploads {Uploads,5}  records/upload {RecordsPerUpload,6:0.0}  429s {Throttled,4}  non-2xx answers {FailedRequests}");
    }
}
