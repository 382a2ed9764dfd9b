using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using CleverTapSegment.CleverTap;
using CleverTapSegment.DevHost;
using CleverTapSegment.Exports.Model;
using CleverTapSegment.Exports.Runs;
using CleverTapSegment.Storage;
using CleverTapSegment.Testing;
using CleverTapSegment.Tests.Exports.EndToEnd;
using Xunit.Abstractions;

namespace CleverTapSegment.Tests.Exports;

/// <summary>
/// Crashes of the worker process during an export, under the dev host: the process is SIGKILLed at moments chosen by
/// what the fakes observe (a request is held until the kill, never a sleep), then restarted with the same settings.
/// A killed invocation's queue message stays hidden until its lease runs out, then resumes from the item's last
/// checkpoint. What a crash costs with the default settings is in docs/exports-api.md ("What a crash costs").
/// </summary>
public sealed class ExportCrashResumeTests(ITestOutputHelper output)
{
    private const int RecordsPerItem = 3500;
    /// <summary>Four pages per item (1000, 1000, 1000, 500); a page of 1000 mapped events takes two Segment batches.</summary>
    private const int PageSize = 1000;
    private static readonly string[] Events = ["App Launched", "Charged"];
    private static readonly DateOnly[] Days = [new(2026, 11, 1), new(2026, 11, 2), new(2026, 11, 3)];
    private static readonly int Records = RecordsPerItem * Events.Length * Days.Length;
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 4, 0, 0, TimeSpan.Zero);

    /// <summary>How long a killed invocation's queue message stays hidden: the Functions host's (and dev host's) 10 minutes, shortened.</summary>
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(5);

    /// <summary>How long a killed worker's CleverTap export slot stays leased (on the app's clock, which the test moves).</summary>
    private static readonly TimeSpan SlotLease = CleverTapExportComposition.AttemptTimeout + CleverTapExportComposition.LeaseMargin;

    [Fact]
    [Trait("Category", "Slow")]
    [Trait("Category", "Crash")]
    public async Task Export_whose_worker_is_killed_three_times_ends_done_with_every_record_delivered_under_one_messageId()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await using var harness = await ExportHarness.StartAsync(Now,
            new FakeCleverTapExportOptions { RecordsPerDay = static (_, _) => RecordsPerItem },
            new Dictionary<string, string?> { ["Exports__PageSize"] = PageSize.ToString(CultureInfo.InvariantCulture) },
            configure: options => options.QueueMessageLease = Lease);
        await harness.CreatePartnerAsync();
        var expected = harness.ExpectedMessageIds(Events, Days);
        Assert.Equal(Records, expected.Count);

        // 1. In the middle of an item, while CleverTap is answering its third page.
        var pageFetch = harness.CleverTap.HoldPageRequestAsync(request => request.PageIndex == 2, limit.Token);
        var id = await harness.CreateOneTimeExportAsync(Days[0], Days[^1], Events);
        var fetched = await pageFetch;
        var (first, midPageBatch) = await CrashAsync(harness, "fetching a page from CleverTap", new Slice(fetched.EventName, fetched.From),
            // 2. Segment took a batch from the middle of a page, the worker never heard back: the page is sent again.
            () => harness.Segment.HoldAnswerAsync(batch => !StartsPage(batch) && batch.UniqueMessagesAfter < Records, limit.Token), limit.Token);
        var (second, lastBatch) = await CrashAsync(harness, "after Segment took a mid-page batch", SliceOf(await midPageBatch!),
            // 3. Segment took the export's last records: the run is about to close.
            () => harness.Segment.HoldAnswerAsync(batch => batch.UniqueMessagesAfter >= Records, limit.Token), limit.Token);
        var (third, _) = await CrashAsync(harness, "after Segment took the last records, before the run closed", SliceOf(await lastBatch!), null, limit.Token);
        await WaitUntilTheExportEndsAsync(harness, id, limit.Token);
        await harness.WaitForWorkToDrainAsync();

        var export = await harness.GetExportAsync(id);
        var run = Assert.Single(export["runs"]!.AsArray())!;
        var items = run["items"]!.AsArray();
        Report(harness, [first, second, third], items.Sum(item => item!["pages"]!.GetValue<long>()));
        Assert.Equal("DONE", export["status"]!.GetValue<string>());
        Assert.Equal("DONE", run["status"]!.GetValue<string>());
        Assert.Equal(Events.Length * Days.Length, items.Count);
        Assert.All(items, item => Assert.Equal("DONE", item!["status"]!.GetValue<string>()));
        // Replays are not counted twice: a page's counters move with its checkpoint.
        Assert.Equal(Records, export["counters"]!["exported"]!.GetValue<long>());
        // Nothing missing, and one messageId per record: a resent record carried the messageId it had the first time
        // (a different one would show as an id outside the expected set).
        Assert.Equal(Records, harness.Segment.UniqueMessages);
        Assert.Equal(expected.Order(StringComparer.Ordinal), harness.Segment.MessageCounts.Keys.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(harness.App.Monitor.Invocations, invocation => invocation.Outcome == TriggerOutcome.MovedToPoison);
    }

    /// <summary>
    /// A worker killed after writing its item DONE and before closing the run leaves the run RUNNING; the item's
    /// message comes back when its lease runs out and must close the run, not wait for the scheduler's next sweep.
    /// </summary>
    [Fact]
    [Trait("Category", "Crash")]
    public async Task Message_of_an_item_finished_just_before_a_crash_closes_the_run_when_it_comes_back()
    {
        var startDate = new DateOnly(2026, 11, 22);
        await using var harness = await ExportHarness.StartAsync(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero));
        await harness.CreatePartnerAsync();
        var id = await harness.CreateRecurringExportAsync(6, startDate, "Charged");
        harness.Time.SetUtcNow(new DateTimeOffset(2026, 11, 22, 0, 0, 30, TimeSpan.Zero));
        var export = (await harness.Exports.GetAsync(id))!;
        var plan = RunPlan.For(export, TimeZoneInfo.Utc, harness.Time.GetUtcNow());
        await harness.Runs.CreateRunAsync(plan.Run, plan.Items);
        Assert.True(await harness.Exports.TryReplaceAsync(export with { Status = ExportStatus.Running, CurrentRunId = plan.Run.Id, NextRunAt = null }));
        var item = Assert.Single(await harness.Runs.GetItemsAsync(plan.Run.Id));
        item.Status = WorkItemStatus.Done;
        item.CompletedAt = item.LastCheckpointAt = harness.Time.GetUtcNow();
        Assert.True(await harness.Runs.TryUpdateItemAsync(item));

        // The killed invocation's message, back after its lease.
        await harness.WorkItemQueue.SendAsync(item.ToMessage());
        await harness.WaitForWorkToDrainAsync();

        var after = await harness.GetExportAsync(id);
        var run = Assert.Single(after["runs"]!.AsArray())!;
        Assert.Equal("DONE", run["status"]!.GetValue<string>());
        Assert.Equal("PENDING", after["status"]!.GetValue<string>());
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 6, 0, 0, TimeSpan.Zero), after["nextRunAt"]!.GetValue<DateTimeOffset>());
        // Closing read nothing again.
        Assert.Equal(0, harness.CleverTap.PagesServed);
    }

    /// <summary>
    /// Kills the worker (a request of the interrupted item is held by a fake), arms the next moment while no worker
    /// runs, lets the leases of the CleverTap slots the dead worker held run out on the app's clock, and restarts it.
    /// </summary>
    private static async Task<(Crash Crash, Task<FakeSegmentBatch>? Next)> CrashAsync(ExportHarness harness, string moment, Slice interrupted,
        Func<Task<FakeSegmentBatch>>? armNext, CancellationToken cancellationToken)
    {
        var duplicatesBefore = harness.Segment.DuplicateMessages;
        var killedAt = DateTimeOffset.UtcNow;
        await harness.App.Host.KillWorkerAsync();
        var slotsLeftLeased = await CountLeasedSlotsAsync(harness);
        var next = armNext?.Invoke();
        harness.Time.Advance(SlotLease + TimeSpan.FromSeconds(1));
        await harness.App.Host.RestartWorkerAsync(cancellationToken);
        return (new Crash(moment, interrupted, killedAt, DateTimeOffset.UtcNow, duplicatesBefore, slotsLeftLeased), next);
    }

    /// <summary>CleverTap export slots still leased by a worker that no longer runs.</summary>
    private static async Task<int> CountLeasedSlotsAsync(ExportHarness harness)
    {
        var now = harness.Time.GetUtcNow();
        var count = 0;
        await foreach (var slot in harness.Tables.GetTableClient(LeasedSlots.DefaultTableName).QueryAsync<TableEntity>())
        {
            if (slot.GetDateTimeOffset(LeasedSlots.LeasedUntilProperty) > now)
                count++;
        }
        return count;
    }

    /// <summary>
    /// Any ExportWorker invocation may be the one that closes the run: look at the export after each, wait for the
    /// next. A killed invocation's message is hidden until its lease ends, so an idle queue does not mean done.
    /// </summary>
    private static async Task WaitUntilTheExportEndsAsync(ExportHarness harness, string id, CancellationToken cancellationToken)
    {
        var seen = new HashSet<TriggerInvocation>();
        while ((await harness.GetExportAsync(id))["status"]!.GetValue<string>() is "RUNNING" or "PENDING")
        {
            seen.Add(await harness.App.Monitor.WaitForInvocationAsync(
                invocation => invocation.FunctionName == ExportWorker.FunctionName && !seen.Contains(invocation), cancellationToken));
        }
    }

    /// <summary>Measured, not asserted: what each crash cost, to the test output.</summary>
    private void Report(ExportHarness harness, IReadOnlyList<Crash> crashes, long checkpointedPages)
    {
        var cleverTap = harness.CleverTap;
        output.WriteLine($"records {Records} in {Events.Length * Days.Length} work items, {checkpointedPages} pages of up to {PageSize}; " +
            $"CleverTap served {cleverTap.PagesServed} pages ({cleverTap.PageRequests.Count} page requests, {cleverTap.CursorsOpened} cursors opened); " +
            $"queue message lease {Lease.TotalSeconds:0} s");
        output.WriteLine($"Segment: {harness.Segment.RequestCount} batch requests, {harness.Segment.AcceptedMessages} messages accepted, " +
            $"{harness.Segment.UniqueMessages} distinct, {harness.Segment.DuplicateMessages} duplicates (de-duplicated by messageId)");
        for (var i = 0; i < crashes.Count; i++)
        {
            var crash = crashes[i];
            var duplicatesUntil = i + 1 < crashes.Count ? crashes[i + 1].DuplicatesBefore : harness.Segment.DuplicateMessages;
            var resumed = cleverTap.PageRequests
                .Where(request => request.EventName == crash.Interrupted.EventName && request.From == crash.Interrupted.Day && request.ReceivedAt > crash.KilledAt)
                .Select(request => (DateTimeOffset?)request.ReceivedAt)
                .Min();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"crash {i + 1} ({crash.Moment}; item {crash.Interrupted.EventName} {crash.Interrupted.Day:yyyy-MM-dd}): " +
                $"worker back in {(crash.RestartedAt - crash.KilledAt).TotalSeconds:0.0} s, item resumed after " +
                $"{(resumed is { } at ? $"{(at - crash.KilledAt).TotalSeconds:0.0} s" : "never")}, " +
                $"{duplicatesUntil - crash.DuplicatesBefore} duplicates sent, {crash.SlotsLeftLeased} CleverTap slots left leased"));
        }
    }

    private static bool StartsPage(FakeSegmentBatch batch)
    {
        using var first = JsonDocument.Parse(batch.Messages[0]);
        return first.RootElement.GetProperty("properties").GetProperty("index").GetInt32() % PageSize == 0;
    }

    /// <summary>The work item a batch came from: its event and project-local day, as the fake's records carry them.</summary>
    private static Slice SliceOf(FakeSegmentBatch batch)
    {
        using var first = JsonDocument.Parse(batch.Messages[0]);
        var message = first.RootElement;
        return new Slice(message.GetProperty("event").GetString()!,
            DateOnly.ParseExact(message.GetProperty("properties").GetProperty("day").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture));
    }

    private sealed record Slice(string EventName, DateOnly Day);

    private sealed record Crash(string Moment, Slice Interrupted, DateTimeOffset KilledAt, DateTimeOffset RestartedAt, long DuplicatesBefore, int SlotsLeftLeased);
}
