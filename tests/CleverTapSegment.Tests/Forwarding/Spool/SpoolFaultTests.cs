using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CleverTapSegment.Testing;
using Xunit.Abstractions;

namespace CleverTapSegment.Tests.Forwarding.Spool;

/// <summary>
/// The spool's promises under faults: an outage longer than Segment's retry window loses nothing and duplicates
/// nothing; records CleverTap refuses for good wait as dead letters until replayed; a worker killed while it drains
/// a backlog loses nothing (duplicates only where CleverTap processed an upload whose answer the dead worker lost).
/// </summary>
[Collection("Azurite")]
[Trait("Category", "Slow")]
public sealed class SpoolFaultTests(AzuriteFixture azurite, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    public Task InitializeAsync() => SpoolTestKit.ClearSpoolAsync(azurite);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Three_days_of_CleverTap_503_while_events_keep_arriving_then_recovery_delivers_every_event_once()
    {
        await using var cleverTap = await FakeCleverTap.StartAsync();
        cleverTap.Respond = _ => FakeAnswer.Status(503);
        using var clock = new WorkerClock(new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero));
        var options = SpoolTestKit.StoredMode(azurite, cleverTap);
        options.Clock = clock;
        await using var app = await WorkerApp.StartAsync(options);
        var run = $"outage-{Guid.NewGuid():N}"[..15];

        // Twelve rounds of six simulated hours: events arrive, CleverTap refuses them, the spool retries them.
        var sent = 0;
        for (var round = 0; round < 12; round++)
        {
            var refusedBefore = Refused(cleverTap);
            for (var i = 0; i < 5; i++)
            {
                var (status, body) = await SpoolTestKit.PostAsync(app.Client, "api/segment", SegmentIngestEndToEndTests.Track($"{run}-{sent++}"));
                Assert.Equal((HttpStatusCode.OK, "accepted"), (status, body["status"]!.GetValue<string>()));
            }
            // Delivery was tried (and refused) since these events arrived; then, with no delivery run in flight (a run
            // would see its upload budget vanish mid-call, as if CleverTap's answer were lost), the hours pass.
            Assert.True(await cleverTap.WaitUntilAsync(fake => Refused(fake) > refusedBefore, Patience));
            await app.Monitor.WaitForIdleAsync("ingest-spool", new CancellationTokenSource(Patience).Token);
            clock.SetUtcNow(clock.GetUtcNow() + TimeSpan.FromHours(6));
        }
        Assert.Empty(SpoolTestKit.Delivered(cleverTap, run));
        var refusedDuringOutage = Refused(cleverTap);

        cleverTap.Respond = null;

        Assert.True(await SpoolTestKit.AllDeliveredAsync(cleverTap, run, sent, Patience));
        await app.Monitor.WaitForIdleAsync("ingest-spool", new CancellationTokenSource(Patience).Token);
        var delivered = SpoolTestKit.Delivered(cleverTap, run);
        output.WriteLine($"{sent} events accepted over 72 simulated hours; CleverTap refused {refusedDuringOutage} uploads; delivered {delivered.Count}, twice or more {delivered.Count(pair => pair.Value > 1)}");
        Assert.Equal(sent, delivered.Count);
        Assert.All(delivered.Values, count => Assert.Equal(1, count));
        // More attempts than the host's maxDequeueCount, yet nothing was poisoned or dead-lettered.
        Assert.Equal(0, await SpoolTestKit.PoisonedAsync(azurite));
        Assert.Empty((await ReadSpoolAsync(app))["deadLetters"]!.AsArray());
    }

    [Fact]
    public async Task Wrong_passcode_dead_letters_with_the_reason_and_a_replay_after_the_fix_delivers_once()
    {
        await using var cleverTap = await FakeCleverTap.StartAsync();
        var run = $"passcode-{Guid.NewGuid():N}"[..17];
        await using (var wrong = await WorkerApp.StartAsync(SpoolTestKit.StoredMode(azurite, cleverTap, passcode: "expired-passcode")))
        {
            var (status, _) = await SpoolTestKit.PostAsync(wrong.Client, "api/segment", SpoolTestKit.Batch(run, 30));
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.True(await WaitForDeadLettersAsync(wrong, 30));
            var deadLetter = Assert.Single((await ReadSpoolAsync(wrong))["deadLetters"]!.AsArray())!;
            Assert.Equal(("default", 30), (deadLetter["account"]!.GetValue<string>(), deadLetter["records"]!.GetValue<int>()));
            Assert.Contains("401", deadLetter["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        Assert.Empty(SpoolTestKit.Delivered(cleverTap, run));

        // The passcode is fixed (the app restarts with the new setting), then the dead letters are replayed.
        await using var fixedApp = await WorkerApp.StartAsync(SpoolTestKit.StoredMode(azurite, cleverTap));
        using var replay = new HttpRequestMessage(HttpMethod.Post, "api/ingest/deadletters/replay") { Content = JsonContent.Create(new { account = "default" }) };
        replay.Headers.Add("x-functions-key", SpoolTestKit.AdminKey);
        using var replayed = await fixedApp.Client.SendAsync(replay);

        Assert.Equal(HttpStatusCode.OK, replayed.StatusCode);
        Assert.Equal(30, JsonNode.Parse(await replayed.Content.ReadAsStringAsync())!["replayed"]!.GetValue<int>());
        Assert.True(await SpoolTestKit.AllDeliveredAsync(cleverTap, run, 30, Patience));
        await fixedApp.Monitor.WaitForIdleAsync("ingest-spool", new CancellationTokenSource(Patience).Token);
        Assert.All(SpoolTestKit.Delivered(cleverTap, run).Values, count => Assert.Equal(1, count));
        Assert.Empty((await ReadSpoolAsync(fixedApp))["deadLetters"]!.AsArray());
    }

    [Fact]
    public async Task Killing_the_worker_three_times_while_it_drains_50000_events_loses_none()
    {
        const int Events = 50_000;
        await using var cleverTap = await FakeCleverTap.StartAsync();
        cleverTap.MaxConcurrentRequests = 3;
        // Refused while the backlog builds up, so the kills land while it drains.
        cleverTap.Respond = _ => FakeAnswer.Status(503);
        var options = SpoolTestKit.StoredMode(azurite, cleverTap);
        // Messages a killed worker held come back after this instead of the host's 10 minutes.
        options.QueueMessageLease = TimeSpan.FromSeconds(5);
        await using var app = await WorkerApp.StartAsync(options);
        var run = $"kill-{Guid.NewGuid():N}"[..13];

        // Eight senders like Segment's: a batch answered other than 200 is sent again.
        var resent = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async sender =>
        {
            for (var n = sender; n < Events / 1000; n += 8)
            {
                var batch = new JsonArray([.. Enumerable.Range(0, 1000).Select(i => (JsonNode)SegmentIngestEndToEndTests.Track($"{run}-{n * 1000 + i}"))]);
                while ((await SpoolTestKit.PostAsync(app.Client, "api/segment", batch)).Status != HttpStatusCode.OK)
                    Interlocked.Increment(ref resent);
            }
        }));

        cleverTap.Latency = TimeSpan.FromMilliseconds(300);
        cleverTap.Respond = null;
        foreach (var killAt in new[] { 8_000, 20_000, 32_000 })
        {
            Assert.True(await cleverTap.WaitUntilAsync(fake => fake.Accepted.Count >= killAt, Patience));
            await app.Host.KillWorkerAsync();
            output.WriteLine($"killed at {cleverTap.Accepted.Count} accepted records");
            await app.Host.RestartWorkerAsync();
        }

        Assert.True(await SpoolTestKit.AllDeliveredAsync(cleverTap, run, Events, Patience));
        await app.Monitor.WaitForIdleAsync("ingest-spool", new CancellationTokenSource(Patience).Token);
        var delivered = SpoolTestKit.Delivered(cleverTap, run);
        var duplicates = delivered.Values.Sum(count => count - 1);
        output.WriteLine($"{Events} accepted ({resent} batch(es) answered 503 and resent), {delivered.Count} delivered, {duplicates} duplicate record(s), {cleverTap.Uploads.Count} uploads");
        Assert.Equal(Events, delivered.Count);
        // A kill loses the answers of the uploads in flight: CleverTap processed them, the rerun sends them again.
        // At most the records the killed worker held (batchSize + newBatchThreshold messages of up to 1,000 records),
        // plus a resent batch whose first write completed after its 503.
        Assert.True(duplicates <= 3 * 12 * 1000 + resent * 1000, $"{duplicates} duplicates");
        Assert.Equal(0, await SpoolTestKit.PoisonedAsync(azurite));
    }

    private static int Refused(FakeCleverTap fake) => fake.Uploads.Count(upload => upload.Status == 503);

    private static async Task<JsonNode> ReadSpoolAsync(WorkerApp app)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/ingest/spool");
        request.Headers.Add("x-functions-key", SpoolTestKit.AdminKey);
        using var response = await app.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    /// <summary>Dead letters are written by the delivery function in the worker: once the spool is drained, count them.</summary>
    private static async Task<bool> WaitForDeadLettersAsync(WorkerApp app, int records)
    {
        await app.Monitor.WaitForIdleAsync("ingest-spool", new CancellationTokenSource(Patience).Token);
        return (await ReadSpoolAsync(app))["deadLetters"]!.AsArray().Sum(item => item!["records"]!.GetValue<int>()) >= records;
    }
}
