using System.Text.Json.Nodes;
using CleverTapSegment.CleverTap;
using CleverTapSegment.Exports.Model;
using CleverTapSegment.Exports.Runs;
using CleverTapSegment.Exports.Storage;
using CleverTapSegment.DevHost;
using CleverTapSegment.Testing;

namespace CleverTapSegment.Tests.Exports.EndToEnd;

public sealed class ExportEndToEndTests
{
    private static readonly DateOnly November1 = new(2026, 11, 1);

    [Fact]
    public async Task One_time_export_of_two_events_over_three_days_runs_to_done_and_Segment_gets_exactly_its_records()
    {
        await using var harness = await ExportHarness.StartAsync(new DateTimeOffset(2026, 11, 22, 4, 0, 0, TimeSpan.Zero),
            new FakeCleverTapExportOptions { RecordsPerDay = static (_, _) => 25 });
        await harness.CreatePartnerAsync();
        string[] events = ["App Launched", "Charged"];

        // A new one-time export starts at once: no scheduler tick needed.
        var id = await harness.CreateOneTimeExportAsync(November1, November1.AddDays(2), events);
        await harness.WaitForWorkToDrainAsync();

        var export = await harness.GetExportAsync(id);
        var expected = harness.ExpectedMessageIds(events, [November1, November1.AddDays(1), November1.AddDays(2)]);
        Assert.Equal("DONE", export["status"]!.GetValue<string>());
        var run = Assert.Single(export["runs"]!.AsArray())!;
        Assert.Equal("DONE", run["status"]!.GetValue<string>());
        var items = run["items"]!.AsArray();
        Assert.Equal(6, items.Count);
        Assert.All(items, item => Assert.Equal("DONE", item!["status"]!.GetValue<string>()));
        Assert.Equal(expected.Count, export["counters"]!["exported"]!.GetValue<long>());
        Assert.Equal(expected.OrderBy(id => id), harness.Segment.Messages.Keys.OrderBy(id => id));
        Assert.Equal(expected.Count, harness.Segment.AcceptedMessages);
    }

    [Fact]
    public async Task Recurring_export_runs_with_adjacent_windows_and_sends_no_record_twice()
    {
        var startDate = new DateOnly(2026, 11, 21);
        await using var harness = await ExportHarness.StartAsync(new DateTimeOffset(2026, 11, 21, 6, 0, 30, TimeSpan.Zero),
            new FakeCleverTapExportOptions { RecordsPerDay = static (_, _) => 24 });
        await harness.CreatePartnerAsync();
        var id = await harness.CreateRecurringExportAsync(6, startDate, "Charged");

        // Its 00:00 slot is already due, so the API starts it at once; the 06:00 slot is due once that run is done
        // (one tick); then 12:00 comes (another tick).
        await harness.WaitForWorkToDrainAsync();
        await harness.FireSchedulerAsync();
        await harness.WaitForWorkToDrainAsync();
        harness.Time.SetUtcNow(new DateTimeOffset(2026, 11, 21, 12, 0, 30, TimeSpan.Zero));
        await harness.FireSchedulerAsync();
        await harness.WaitForWorkToDrainAsync();

        var export = await harness.GetExportAsync(id);
        Assert.Equal("PENDING", export["status"]!.GetValue<string>());
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 18, 0, 0, TimeSpan.Zero), export["nextRunAt"]!.GetValue<DateTimeOffset>());
        var windows = export["runs"]!.AsArray()
            .Select(run => (Start: run!["windowStart"]!.GetValue<DateTimeOffset>(), End: run["windowEnd"]!.GetValue<DateTimeOffset>(), Status: run["status"]!.GetValue<string>()))
            .OrderBy(window => window.Start)
            .ToList();
        Assert.Equal(
            [
                (new DateTimeOffset(2026, 11, 20, 18, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero), "DONE"),
                (new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 21, 6, 0, 0, TimeSpan.Zero), "DONE"),
                (new DateTimeOffset(2026, 11, 21, 6, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero), "DONE"),
            ],
            windows);
        // The last two runs both read 21 November from CleverTap; each kept only its own hours.
        var expected = harness.ExpectedMessageIds(["Charged"], [startDate.AddDays(-1), startDate],
            new DateTimeOffset(2026, 11, 20, 18, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero));
        Assert.NotEmpty(expected);
        Assert.Equal(0, harness.Segment.DuplicateMessages);
        Assert.Equal(expected.OrderBy(id => id), harness.Segment.Messages.Keys.OrderBy(id => id));
        Assert.Equal(expected.Count, export["counters"]!["exported"]!.GetValue<long>());
    }

    [Fact]
    public async Task Stop_during_a_run_abandons_its_items_and_the_export_ends_stopped()
    {
        await using var harness = await ExportHarness.StartAsync(new DateTimeOffset(2026, 11, 22, 4, 0, 0, TimeSpan.Zero));
        await harness.CreatePartnerAsync();
        // Hold CleverTap's answers so the run is certainly in progress when the stop arrives.
        harness.CleverTap.HoldResponses();
        var id = await harness.CreateOneTimeExportAsync(November1, November1.AddDays(2), "App Launched", "Charged");
        await harness.CleverTap.WaitForConcurrentCallsAsync(1, ExportHarness.Limit());
        Assert.Equal("RUNNING", (await harness.GetExportAsync(id))["status"]!.GetValue<string>());

        await harness.StopExportAsync(id);
        harness.CleverTap.ReleaseResponses();
        await harness.WaitForWorkToDrainAsync();

        var export = await harness.GetExportAsync(id);
        Assert.Equal("STOPPED", export["status"]!.GetValue<string>());
        var run = Assert.Single(export["runs"]!.AsArray())!;
        Assert.Equal("STOPPED", run["status"]!.GetValue<string>());
        Assert.All(run["items"]!.AsArray(), item =>
        {
            Assert.Equal("SKIPPED", item!["status"]!.GetValue<string>());
            Assert.Equal("export stopped", item["reason"]!.GetValue<string>());
        });
        // Stop is checked before every page, so not one page was read after it.
        Assert.Equal(0, harness.CleverTap.PagesServed);
        Assert.Equal(0, harness.Segment.AcceptedMessages);
    }

    [Fact]
    public async Task Worker_failure_mid_item_resumes_from_the_checkpoint_and_replays_with_the_same_messageIds()
    {
        await using var harness = await ExportHarness.StartAsync(new DateTimeOffset(2026, 11, 22, 4, 0, 0, TimeSpan.Zero),
            new FakeCleverTapExportOptions { RecordsPerDay = static (_, _) => 30 },
            // Redelivery waits a second, so the test lets Segment recover before the retry comes.
            settings: new Dictionary<string, string?> { ["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:00:01" });
        await harness.CreatePartnerAsync();
        // Page 1 (the second batch) reaches Segment, but the worker never learns it: the invocation fails before its checkpoint.
        harness.Segment.AcceptThenFail(onRequest: 2);
        var failed = harness.App.Monitor.WaitForInvocationAsync(
            invocation => invocation is { FunctionName: ExportWorker.FunctionName, Outcome: TriggerOutcome.Failed }, ExportHarness.Limit());

        var id = await harness.CreateOneTimeExportAsync(November1, November1, "Charged");
        var failure = await failed;
        var retried = harness.App.Monitor.WaitForInvocationAsync(
            invocation => invocation is { FunctionName: ExportWorker.FunctionName, Outcome: TriggerOutcome.Succeeded } && invocation.MessageId == failure.MessageId,
            ExportHarness.Limit());
        harness.Segment.StopFailing();
        // The failed message is hidden for the visibility timeout, which a drained queue does not wait for.
        await retried;
        await harness.WaitForWorkToDrainAsync();

        var export = await harness.GetExportAsync(id);
        Assert.Equal("DONE", export["status"]!.GetValue<string>());
        // Pages of 10: page 1 reached Segment, then the invocation failed before its checkpoint; the retry replayed page 1 only.
        var expected = harness.ExpectedMessageIds(["Charged"], [November1]);
        Assert.Equal(30, expected.Count);
        Assert.Equal(expected.OrderBy(id => id), harness.Segment.Messages.Keys.OrderBy(id => id));
        Assert.Equal(10, harness.Segment.DuplicateMessages);
        Assert.All(harness.Segment.MessageCounts.Values, count => Assert.InRange(count, 1, 2));
        var item = Assert.Single(export["runs"]![0]!["items"]!.AsArray())!;
        Assert.Equal(30, item["exported"]!.GetValue<long>());
    }

    [Fact]
    public async Task Item_that_fails_on_its_last_attempt_is_failed_with_the_reason_and_the_run_still_closes()
    {
        // One attempt only: the first failure is the last, which the host would send to the poison queue.
        await using var harness = await ExportHarness.StartAsync(new DateTimeOffset(2026, 11, 22, 4, 0, 0, TimeSpan.Zero),
            settings: new Dictionary<string, string?> { ["AzureFunctionsJobHost__extensions__queues__maxDequeueCount"] = "1" });
        await harness.CreatePartnerAsync();
        harness.Segment.AcceptThenFail(onRequest: 1);

        var id = await harness.CreateOneTimeExportAsync(November1, November1, "Charged");
        await harness.WaitForWorkToDrainAsync();

        var export = await harness.GetExportAsync(id);
        Assert.Equal("DONE", export["status"]!.GetValue<string>());
        var run = export["runs"]![0]!;
        Assert.Equal("DONE", run["status"]!.GetValue<string>());
        Assert.Equal("1 of 1 work items failed", run["reason"]!.GetValue<string>());
        var item = Assert.Single(run["items"]!.AsArray())!;
        Assert.Equal("FAILED", item["status"]!.GetValue<string>());
        Assert.StartsWith("gave up after 1 attempts: Segment: ", item["reason"]!.GetValue<string>());
        Assert.DoesNotContain(harness.App.Monitor.Invocations, invocation => invocation.Outcome == TriggerOutcome.MovedToPoison);
    }

    [Fact]
    public async Task Stalled_items_are_re_enqueued_by_the_scheduler_and_the_run_completes()
    {
        var startDate = new DateOnly(2026, 11, 22);
        await using var harness = await ExportHarness.StartAsync(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero));
        await harness.CreatePartnerAsync();
        var id = await harness.CreateRecurringExportAsync(6, startDate, "Charged", "App Launched");
        harness.Time.SetUtcNow(new DateTimeOffset(2026, 11, 22, 0, 0, 30, TimeSpan.Zero));
        // A scheduler that crashed after writing the run and moving the export to RUNNING, before enqueuing anything.
        var exports = harness.Exports;
        var runs = harness.Runs;
        var export = (await exports.GetAsync(id))!;
        var plan = RunPlan.For(export, TimeZoneInfo.Utc, harness.Time.GetUtcNow());
        await runs.CreateRunAsync(plan.Run, plan.Items);
        Assert.True(await exports.TryReplaceAsync(export with { Status = ExportStatus.Running, CurrentRunId = plan.Run.Id, NextRunAt = null }));

        // Not stalled yet: the tick leaves the items alone.
        await harness.FireSchedulerAsync();
        await harness.WaitForWorkToDrainAsync();
        Assert.All(await runs.GetItemsAsync(plan.Run.Id), item => Assert.Equal(WorkItemStatus.Pending, item.Status));

        harness.Time.Advance(TimeSpan.FromMinutes(21));
        await harness.FireSchedulerAsync();
        await harness.WaitForWorkToDrainAsync();

        var after = await harness.GetExportAsync(id);
        Assert.Equal("PENDING", after["status"]!.GetValue<string>());
        var run = Assert.Single(after["runs"]!.AsArray())!;
        Assert.Equal("DONE", run["status"]!.GetValue<string>());
        Assert.All(run["items"]!.AsArray(), item => Assert.Equal("DONE", item!["status"]!.GetValue<string>()));
        var expected = harness.ExpectedMessageIds(["Charged", "App Launched"], [startDate.AddDays(-1)], plan.Run.WindowStart, plan.Run.WindowEnd);
        Assert.NotEmpty(expected);
        Assert.Equal(expected.OrderBy(id => id), harness.Segment.Messages.Keys.OrderBy(id => id));
    }

    [Fact]
    public async Task Worker_past_its_time_budget_hands_over_to_a_continuation_that_resumes_from_the_checkpoint()
    {
        // Every page takes 1.2 s to arrive, past the 1 s budget: one page per invocation.
        await using var harness = await ExportHarness.StartAsync(new DateTimeOffset(2026, 11, 22, 4, 0, 0, TimeSpan.Zero),
            new FakeCleverTapExportOptions { RecordsPerDay = static (_, _) => 35, PageLatency = TimeSpan.FromSeconds(1.2) },
            settings: new Dictionary<string, string?> { ["Exports__WorkerTimeBudgetSeconds"] = "1" });
        await harness.CreatePartnerAsync();

        var id = await harness.CreateOneTimeExportAsync(November1, November1, "Charged");
        await harness.WaitForWorkToDrainAsync();

        var export = await harness.GetExportAsync(id);
        Assert.Equal("DONE", export["status"]!.GetValue<string>());
        var item = Assert.Single(export["runs"]![0]!["items"]!.AsArray())!;
        Assert.Equal(4, item["pages"]!.GetValue<long>());
        Assert.Equal(35, item["exported"]!.GetValue<long>());
        // Pages of 10: 35 records are four pages, each read by its own invocation.
        Assert.Equal(4, harness.App.Monitor.Invocations.Count(invocation => invocation is { FunctionName: "ExportWorker", Outcome: TriggerOutcome.Succeeded }));
        Assert.Equal(harness.ExpectedMessageIds(["Charged"], [November1]).OrderBy(id => id), harness.Segment.Messages.Keys.OrderBy(id => id));
        Assert.Equal(0, harness.Segment.DuplicateMessages);
    }

    /// <summary>
    /// Runs on real time: the client's "still in progress" back-off (about a minute) runs on the worker's own timers,
    /// and queue visibility on the storage service's clock.
    /// </summary>
    [Fact]
    [Trait("Category", "Slow")]
    public async Task Page_still_in_progress_after_the_client_retries_waits_for_a_delayed_continuation_that_resumes_from_the_checkpoint()
    {
        await using var harness = await ExportHarness.StartAsync(new DateTimeOffset(2026, 11, 22, 4, 0, 0, TimeSpan.Zero),
            new FakeCleverTapExportOptions { RecordsPerDay = static (_, _) => 25 });
        await harness.CreatePartnerAsync();
        // Pages of 10: page 0 is served, then page 1 answers "in progress" to every attempt of the first invocation
        // (the client's first try and its 6 retries on the same cursor), then is served.
        const int attemptsPerInvocation = 7;
        harness.CleverTap.AnswerInProgressOnPage(1, attemptsPerInvocation);
        var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5)).Token;

        var firstInvocation = harness.App.Monitor.WaitForInvocationAsync(invocation => invocation.FunctionName == ExportWorker.FunctionName, limit);
        var id = await harness.CreateOneTimeExportAsync(November1, November1, "Charged");
        var first = await firstInvocation;

        // The item is not failed: the invocation ended well, with page 0 delivered and the cursor of page 1 checkpointed.
        Assert.Equal(TriggerOutcome.Succeeded, first.Outcome);
        Assert.Equal(attemptsPerInvocation, harness.CleverTap.InProgressAnswers);
        var export = await harness.GetExportAsync(id);
        Assert.Equal("RUNNING", export["status"]!.GetValue<string>());
        var runView = export["runs"]![0]!;
        // The detail says when the item is tried again, and that nothing failed.
        var itemView = Assert.Single(runView["items"]!.AsArray())!;
        Assert.Equal(harness.Time.GetUtcNow() + ExportWorker.InProgressDelay, itemView["nextAttemptAt"]!.GetValue<DateTimeOffset>());
        Assert.Null(itemView["lastError"]);
        var item = Assert.Single(await harness.Runs.GetItemsAsync(RunKeys.RunId(id, runView["windowStart"]!.GetValue<DateTimeOffset>())));
        Assert.Equal(WorkItemStatus.Running, item.Status);
        Assert.Equal(1, item.Pages);
        Assert.NotNull(item.Cursor);
        Assert.Equal(10, harness.Segment.AcceptedMessages);

        // The continuation is enqueued hidden for InProgressDelay: nothing is visible now, yet a new message arrives.
        await harness.WaitForWorkToDrainAsync();
        Assert.Single(harness.App.Monitor.Invocations, invocation => invocation.FunctionName == ExportWorker.FunctionName);
        harness.Time.Advance(ExportWorker.InProgressDelay + TimeSpan.FromSeconds(1));
        // Queue visibility runs on the storage service's clock, not the app's: this wait lasts the real 30 s.
        var continuation = await harness.App.Monitor.WaitForInvocationAsync(
            invocation => invocation.FunctionName == ExportWorker.FunctionName && invocation.MessageId != first.MessageId, limit);
        await harness.WaitForWorkToDrainAsync();

        Assert.Equal(TriggerOutcome.Succeeded, continuation.Outcome);
        export = await harness.GetExportAsync(id);
        Assert.Equal("DONE", export["status"]!.GetValue<string>());
        var finished = Assert.Single(export["runs"]![0]!["items"]!.AsArray())!;
        Assert.Equal("DONE", finished["status"]!.GetValue<string>());
        Assert.Equal(3, finished["pages"]!.GetValue<long>());
        Assert.Equal(25, finished["exported"]!.GetValue<long>());
        // Resumed from the checkpointed cursor: no second cursor, page 0 not read again, no record sent twice.
        Assert.Equal(1, harness.CleverTap.CursorsOpened);
        Assert.Equal(3, harness.CleverTap.PagesServed);
        Assert.Equal(attemptsPerInvocation, harness.CleverTap.InProgressAnswers);
        Assert.Equal(harness.ExpectedMessageIds(["Charged"], [November1]).OrderBy(id => id), harness.Segment.Messages.Keys.OrderBy(id => id));
        Assert.Equal(25, harness.Segment.AcceptedMessages);
        Assert.Equal(0, harness.Segment.DuplicateMessages);
    }

    [Fact]
    public async Task Notification_event_is_skipped_with_its_reason_and_the_export_still_completes()
    {
        await using var harness = await ExportHarness.StartAsync(new DateTimeOffset(2026, 11, 22, 4, 0, 0, TimeSpan.Zero));
        await harness.CreatePartnerAsync();

        var id = await harness.CreateOneTimeExportAsync(November1, November1, "Notification Sent", "Charged");
        await harness.WaitForWorkToDrainAsync();

        var export = await harness.GetExportAsync(id);
        Assert.Equal("DONE", export["status"]!.GetValue<string>());
        var items = export["runs"]![0]!["items"]!.AsArray().ToDictionary(item => item!["event"]!.GetValue<string>(), item => item!);
        Assert.Equal("SKIPPED", items["Notification Sent"]["status"]!.GetValue<string>());
        Assert.Contains("Export not allowed for this event", items["Notification Sent"]["reason"]!.GetValue<string>());
        Assert.Equal("DONE", items["Charged"]["status"]!.GetValue<string>());
        Assert.Equal(harness.ExpectedMessageIds(["Charged"], [November1]).OrderBy(id => id), harness.Segment.Messages.Keys.OrderBy(id => id));
    }

    [Fact]
    public async Task Rejected_credentials_fail_a_one_time_export_with_the_reason()
    {
        await using var harness = await ExportHarness.StartAsync(new DateTimeOffset(2026, 11, 22, 4, 0, 0, TimeSpan.Zero),
            settings: new Dictionary<string, string?> { ["CleverTap__Passcode"] = "not-the-passcode" });
        await harness.CreatePartnerAsync();

        var id = await harness.CreateOneTimeExportAsync(November1, November1.AddDays(1), "Charged");
        await harness.WaitForWorkToDrainAsync();

        var export = await harness.GetExportAsync(id);
        Assert.Equal("FAILED", export["status"]!.GetValue<string>());
        Assert.Contains("credentials", export["statusReason"]!.GetValue<string>());
        Assert.Equal("FAILED", export["runs"]![0]!["status"]!.GetValue<string>());
        Assert.Equal(0, harness.Segment.AcceptedMessages);
    }

    [Fact]
    public async Task Refused_write_key_fails_a_one_time_export_with_the_reason()
    {
        await using var harness = await ExportHarness.StartAsync(new DateTimeOffset(2026, 11, 22, 4, 0, 0, TimeSpan.Zero),
            segmentOptions: new FakeSegmentOptions { WriteKeys = [ExportHarness.WriteKey], RefuseUnknownWriteKeys = true });
        await harness.CreatePartnerAsync(writeKey: "revoked-write-key");

        var id = await harness.CreateOneTimeExportAsync(November1, November1.AddDays(1), "Charged");
        await harness.WaitForWorkToDrainAsync();

        var export = await harness.GetExportAsync(id);
        const string reason = "Segment refused the write key (401): rotate it on partner 'prod-source' (or check its region)";
        Assert.Equal("FAILED", export["status"]!.GetValue<string>());
        Assert.Equal(reason, export["statusReason"]!.GetValue<string>());
        var run = Assert.Single(export["runs"]!.AsArray())!;
        Assert.Equal("FAILED", run["status"]!.GetValue<string>());
        Assert.Equal(reason, run["reason"]!.GetValue<string>());
        var items = run["items"]!.AsArray();
        Assert.Contains(items, item => item!["status"]!.GetValue<string>() == "FAILED" && item["reason"]!.GetValue<string>() == reason);
        // The other item either met the same refusal or saw the export failed and stopped; no batch counts as "failed".
        Assert.All(items, item => Assert.Contains(item!["status"]!.GetValue<string>(), new[] { "FAILED", "SKIPPED" }));
        Assert.Equal(0, export["counters"]!["failed"]!.GetValue<long>());
        Assert.Equal(0, harness.Segment.AcceptedMessages);
    }

    [Fact]
    public async Task Refused_write_key_fails_the_run_of_a_recurring_export_which_runs_again_once_the_key_is_rotated()
    {
        var startDate = new DateOnly(2026, 11, 21);
        await using var harness = await ExportHarness.StartAsync(new DateTimeOffset(2026, 11, 21, 6, 0, 30, TimeSpan.Zero),
            new FakeCleverTapExportOptions { RecordsPerDay = static (_, _) => 24 },
            segmentOptions: new FakeSegmentOptions { WriteKeys = [ExportHarness.WriteKey], RefuseUnknownWriteKeys = true });
        await harness.CreatePartnerAsync(writeKey: "revoked-write-key");

        // The 00:00 slot is due at once: its run meets the refused key.
        var id = await harness.CreateRecurringExportAsync(6, startDate, "Charged");
        await harness.WaitForWorkToDrainAsync();

        var failed = await harness.GetExportAsync(id);
        const string reason = "Segment refused the write key (401): rotate it on partner 'prod-source' (or check its region)";
        Assert.Equal("PENDING", failed["status"]!.GetValue<string>());
        Assert.Equal($"last run failed: {reason}", failed["statusReason"]!.GetValue<string>());
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 6, 0, 0, TimeSpan.Zero), failed["nextRunAt"]!.GetValue<DateTimeOffset>());
        var firstRun = Assert.Single(failed["runs"]!.AsArray())!;
        Assert.Equal(("FAILED", reason), (firstRun["status"]!.GetValue<string>(), firstRun["reason"]!.GetValue<string>()));
        Assert.Equal(0, harness.Segment.AcceptedMessages);

        // Rotated on the partner, the next run (the 06:00 slot, already due) goes through.
        await harness.RotateWriteKeyAsync(ExportHarness.WriteKey);
        await harness.FireSchedulerAsync();
        await harness.WaitForWorkToDrainAsync();

        var recovered = await harness.GetExportAsync(id);
        Assert.Equal("PENDING", recovered["status"]!.GetValue<string>());
        Assert.Null(recovered["statusReason"]);
        Assert.Contains(recovered["runs"]!.AsArray(), run => run!["status"]!.GetValue<string>() == "DONE");
        Assert.True(harness.Segment.AcceptedMessages > 0);
    }
}
