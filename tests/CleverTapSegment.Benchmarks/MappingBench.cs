using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CleverTapSegment.CleverTap;
using CleverTapSegment.Forwarding.Mapping;

namespace CleverTapSegment.Benchmarks;

/// <summary>
/// Parse + map + serialise, no HTTP, one thread: the CPU cost of a Segment event before delivery.
/// Mix: 40 % track (~8 properties), 20 % identify (~10 traits), 10 % Order Completed (2 products), 15 % page,
/// 15 % screen. Records are written as Upload API bodies of up to 1000 records, as the uploader does.
/// Options: <c>--seconds N</c> (measured CPU time, default 5), <c>--warmup N</c> (default 2).
/// </summary>
internal static class MappingBench
{
    private const int DistinctEvents = 10_000;
    private const int RecordsPerUpload = 1000;

    public static Task<int> RunAsync(string[] args)
    {
        var seconds = Option(args, "--seconds", 5);
        var warmupSeconds = Option(args, "--warmup", 2);
        var events = SampleEvents(DistinctEvents);
        var settings = new MappingSettings();
        var body = new ArrayBufferWriter<byte>(1 << 20);
        using var writer = new Utf8JsonWriter(body);

        Run(events, settings, body, writer, TimeSpan.FromSeconds(warmupSeconds));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var gen0Before = GC.CollectionCount(0);
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var wall = Stopwatch.StartNew();
        var (mapped, records, elapsed) = Run(events, settings, body, writer, TimeSpan.FromSeconds(seconds));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        wall.Stop();
        var gen0 = GC.CollectionCount(0) - gen0Before;

        var perSecond = mapped / elapsed.TotalSeconds;
        // The same events parsed only: the floor the mapping cost sits on, and a gauge of how loaded the machine is.
        var parsedPerSecond = ParseOnly(events, TimeSpan.FromSeconds(Math.Max(1, seconds / 2)));
        Console.WriteLine("mapping bench: parse + map + serialise, one thread, no HTTP");
        Console.WriteLine("  mix                 40% track(8 props) 20% identify(10 traits) 10% Order Completed(2 products) 15% page 15% screen");
        Console.WriteLine($"  events              {mapped:N0} in {elapsed.TotalSeconds:F2} CPU s, {wall.Elapsed.TotalSeconds:F2} wall s ({records:N0} records)");
        Console.WriteLine($"  events/s (one core) {perSecond:N0}   (per CPU second; target >= 200,000)");
        Console.WriteLine($"  parse only          {parsedPerSecond:N0} events/s (JsonDocument.Parse alone, same events, per CPU second)");
        Console.WriteLine($"  allocated/event     {allocated / (double)mapped:N0} bytes");
        Console.WriteLine($"  gen0 GCs            {gen0}");
        return Task.FromResult(0);
    }

    private static (long Events, long Records, TimeSpan Elapsed) Run(byte[][] events, MappingSettings settings,
        ArrayBufferWriter<byte> body, Utf8JsonWriter writer, TimeSpan duration)
    {
        long mapped = 0, records = 0, inBody = 0;
        var clock = CpuClock.Start();
        StartBody(body, writer);
        while (clock.Elapsed < duration)
        {
            // Check the clock once per 1000 events: reading CPU time is a system call.
            for (var i = 0; i < 1000; i++)
            {
                var utf8 = events[(int)(mapped % events.Length)];
                MappedEvent result;
                using (var document = JsonDocument.Parse(utf8))
                    result = SegmentEventMapper.Map(document.RootElement, settings);
                foreach (var record in result.Records)
                {
                    record.WriteTo(writer);
                    records++;
                    if (++inBody == RecordsPerUpload)
                    {
                        EndBody(writer);
                        StartBody(body, writer);
                        inBody = 0;
                    }
                }
                mapped++;
            }
        }
        EndBody(writer);
        return (mapped, records, clock.Elapsed);
    }

    private static double ParseOnly(byte[][] events, TimeSpan duration)
    {
        long parsed = 0;
        var clock = CpuClock.Start();
        while (clock.Elapsed < duration)
        {
            for (var i = 0; i < 1000; i++)
            {
                using var document = JsonDocument.Parse(events[(int)(parsed % events.Length)]);
                parsed++;
            }
        }
        return parsed / clock.Elapsed.TotalSeconds;
    }

    private static void StartBody(ArrayBufferWriter<byte> body, Utf8JsonWriter writer)
    {
        body.ResetWrittenCount();
        writer.Reset(body);
        writer.WriteStartObject();
        writer.WriteStartArray("d");
    }

    private static void EndBody(Utf8JsonWriter writer)
    {
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
    }

    private static byte[][] SampleEvents(int count)
    {
        var random = new Random(42);
        var events = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            var slot = i % 20;
            var json = slot switch
            {
                < 8 => Track(i, random),
                < 12 => Identify(i, random),
                < 14 => OrderCompleted(i, random),
                < 17 => Page(i),
                _ => Screen(i),
            };
            events[i] = Encoding.UTF8.GetBytes(json);
        }
        return events;
    }

    private static string Common(string type, int i) =>
        $$"""
        "type":"{{type}}","messageId":"msg-{{i}}-{{Guid.NewGuid():N}}","userId":"user-{{i % 997}}",
        "anonymousId":"{{new Guid(i, 0, 0, [0, 0, 0, 0, 0, 0, 0, 1])}}","timestamp":"2026-11-22T05:{{i % 60:00}}:12.345Z",
        "sentAt":"2026-11-22T05:00:13.000Z","receivedAt":"2026-11-22T05:00:13.100Z","version":2,
        "context":{"library":{"name":"analytics-node","version":"6.0.0"},"ip":"203.0.113.7"}
        """;

    private static string Track(int i, Random random) =>
        $$"""
        {{{Common("track", i)}},"event":"Article Bookmarked","properties":{"title":"Snow Fall","subtitle":"The Avalanche at Tunnel Creek",
        "author":"John Branch","wordCount":{{random.Next(100, 5000)}},"price":{{(random.Next(100, 9999) / 100.0).ToString(CultureInfo.InvariantCulture)}},
        "premium":true,"Section Name":"Sports","source":{"medium":"email","campaign":"winter"} } }
        """;

    private static string Identify(int i, Random random) =>
        $$"""
        {{{Common("identify", i)}},"traits":{"name":"Peter Gibbons","email":"peter{{i}}@example.com","phone":"+1 415 555 {{random.Next(1000, 9999)}}",
        "gender":"male","birthday":"1980-04-15","avatar":"https://example.com/a/{{i}}.png","plan":"premium","logins":{{random.Next(1, 500)}},
        "createdAt":"2025-01-02T03:04:05Z","address":{"city":"San Francisco","postalCode":"94103"} } }
        """;

    private static string OrderCompleted(int i, Random random) =>
        $$"""
        {{{Common("track", i)}},"event":"Order Completed","properties":{"checkout_id":"chk-{{i}}","order_id":"ord-{{i}}",
        "affiliation":"Google Store","total":27.5,"subtotal":22.5,"revenue":{{random.Next(10, 500)}}.5,"shipping":3,"tax":2,
        "discount":2.5,"coupon":"hasbros","currency":"USD","products":[
        {"product_id":"507f1f77bcf86cd799439011","sku":"45790-32","name":"Monopoly: 3rd Edition","price":19,"quantity":1,"category":"Games"},
        {"product_id":"505bd76785ebb509fc183733","sku":"46493-32","name":"Uno Card Game","price":3,"quantity":2,"category":"Games"} ] } }
        """;

    private static string Page(int i) =>
        $$"""
        {{{Common("page", i)}},"name":"Home","category":"Docs","properties":{"title":"Welcome | Initech","url":"https://www.example.com/{{i}}",
        "path":"/{{i}}","referrer":"https://google.com","search":""} }
        """;

    private static string Screen(int i) =>
        $$"""
        {{{Common("screen", i)}},"name":"Feed","properties":{"Feed Type":"private","variation":"blue","position":{{i % 10}} } }
        """;

    /// <summary>
    /// CPU time of this process, not wall time: the machine the bench runs on may be shared, and "events/s on one
    /// core" is what the CPU actually spent. The bench is single-threaded, so process time ≈ this thread's time
    /// (plus GC and JIT, which belong in the cost).
    /// </summary>
    private sealed class CpuClock
    {
        private readonly Process _process = Process.GetCurrentProcess();
        private readonly TimeSpan _start;

        private CpuClock() => _start = _process.TotalProcessorTime;

        public static CpuClock Start() => new();

        public TimeSpan Elapsed
        {
            get
            {
                _process.Refresh();
                return _process.TotalProcessorTime - _start;
            }
        }
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], CultureInfo.InvariantCulture, out var value)
            ? value
            : fallback;
    }
}
