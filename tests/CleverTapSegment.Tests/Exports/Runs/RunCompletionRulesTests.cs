using CleverTapSegment.Exports.Model;
using CleverTapSegment.Exports.Runs;

namespace CleverTapSegment.Tests.Exports.Runs;

public sealed class RunCompletionRulesTests
{
    private static RunCounters Counted(long exported, long skipped = 0, long failed = 0, string? skipReason = null) =>
        new(exported, skipped, failed, skipReason is null ? new Dictionary<string, long>() : new Dictionary<string, long> { [skipReason] = skipped });

    [Theory]
    [InlineData(WorkItemStatus.Pending)]
    [InlineData(WorkItemStatus.Running)]
    public void Run_stays_open_while_an_item_is_unfinished(WorkItemStatus unfinished)
    {
        var items = new[] { TestExports.Item(WorkItemStatus.Done), TestExports.Item(unfinished) };

        Assert.Null(RunCompletionRules.Decide(items, ExportStatus.Running, null));
    }

    [Fact]
    public void Finished_items_close_the_run_done_with_summed_counters_and_skip_reasons()
    {
        var items = new[]
        {
            TestExports.Item(WorkItemStatus.Done, counters: Counted(10, 2, 0, "no userId or anonymousId")),
            TestExports.Item(WorkItemStatus.Done, counters: Counted(5, 1, 3, "no userId or anonymousId")),
            TestExports.Item(WorkItemStatus.Skipped, "Notification Sent", reason: "CleverTap: Export not allowed for this event"),
        };

        var outcome = RunCompletionRules.Decide(items, ExportStatus.Running, null);

        Assert.NotNull(outcome);
        Assert.Equal(RunStatus.Done, outcome.Status);
        Assert.Null(outcome.Reason);
        Assert.Equal((15L, 3L, 3L), (outcome.Counters.Exported, outcome.Counters.Skipped, outcome.Counters.Failed));
        Assert.Equal(3, outcome.Counters.SkipReasons["no userId or anonymousId"]);
    }

    [Fact]
    public void Item_that_failed_after_retries_leaves_the_run_done_with_a_reason()
    {
        var items = new[] { TestExports.Item(WorkItemStatus.Done), TestExports.Item(WorkItemStatus.Failed, reason: "gave up after 5 attempts") };

        var outcome = RunCompletionRules.Decide(items, ExportStatus.Running, null);

        Assert.Equal(RunStatus.Done, outcome!.Status);
        Assert.Equal("1 of 2 work items failed", outcome.Reason);
    }

    [Fact]
    public void Item_that_fails_the_export_fails_the_run_with_its_reason()
    {
        var items = new[]
        {
            TestExports.Item(WorkItemStatus.Failed, failsExport: true, reason: "CleverTap refused the credentials (401)"),
            TestExports.Item(WorkItemStatus.Skipped, reason: "export failed: CleverTap refused the credentials (401)"),
        };

        var outcome = RunCompletionRules.Decide(items, ExportStatus.Failed, "CleverTap refused the credentials (401)");

        Assert.Equal(RunStatus.Failed, outcome!.Status);
        Assert.Equal("CleverTap refused the credentials (401)", outcome.Reason);
    }

    [Fact]
    public void Stopped_export_closes_its_run_stopped()
    {
        var items = new[] { TestExports.Item(WorkItemStatus.Done), TestExports.Item(WorkItemStatus.Skipped, reason: "export stopped") };

        Assert.Equal(RunStatus.Stopped, RunCompletionRules.Decide(items, ExportStatus.Stopped, null)!.Status);
    }

    [Fact]
    public void One_time_export_is_done_after_its_run()
    {
        var export = TestExports.OneTime(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 3), "Charged") with { Status = ExportStatus.Running };
        var run = Run(export, RunStatus.Done);
        export = export with { CurrentRunId = run.Id };

        var after = RunCompletionRules.ApplyToExport(export, run, TimeZoneInfo.Utc);

        Assert.Equal(ExportStatus.Done, after.Status);
        Assert.Null(after.NextRunAt);
        Assert.Null(after.CurrentRunId);
        Assert.Equal(run.WindowEnd, after.LastWindowEnd);
    }

    [Fact]
    public void One_time_export_whose_run_failed_is_failed_with_the_reason()
    {
        var export = TestExports.OneTime(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 3), "Charged") with { Status = ExportStatus.Failed };
        var run = Run(export, RunStatus.Failed, "CleverTap refused the credentials (401)");

        var after = RunCompletionRules.ApplyToExport(export with { CurrentRunId = run.Id }, run, TimeZoneInfo.Utc);

        Assert.Equal(ExportStatus.Failed, after.Status);
        Assert.Equal("CleverTap refused the credentials (401)", after.StatusReason);
    }

    [Theory]
    [InlineData(RunStatus.Done)]
    [InlineData(RunStatus.Failed)]
    public void Recurring_export_goes_back_to_pending_with_the_adjacent_next_run(RunStatus runStatus)
    {
        var export = TestExports.Recurring(6, new DateOnly(2026, 11, 21), "Charged") with { Status = ExportStatus.Running, NextRunAt = null };
        var run = new ExportRun
        {
            ExportId = export.Id,
            WindowStart = new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero),
            WindowEnd = new DateTimeOffset(2026, 11, 21, 6, 0, 0, TimeSpan.Zero),
            DataType = export.DataType,
            Partner = export.Partner,
            ItemCount = 1,
            StartedAt = new DateTimeOffset(2026, 11, 21, 6, 0, 5, TimeSpan.Zero),
            Status = runStatus,
            Reason = runStatus == RunStatus.Failed ? "CleverTap refused the credentials (401)" : null,
        };

        var after = RunCompletionRules.ApplyToExport(export with { CurrentRunId = run.Id }, run, TimeZoneInfo.Utc);

        Assert.Equal(ExportStatus.Pending, after.Status);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero), after.NextRunAt);
        Assert.Equal(run.WindowEnd, after.LastWindowEnd);
        Assert.Equal(runStatus == RunStatus.Failed, after.StatusReason is not null);
    }

    [Fact]
    public void Stopped_export_stays_stopped_when_its_run_closes()
    {
        var export = TestExports.Recurring(6, new DateOnly(2026, 11, 21), "Charged") with { Status = ExportStatus.Stopped };
        var run = Run(export, RunStatus.Stopped);

        var after = RunCompletionRules.ApplyToExport(export with { CurrentRunId = run.Id }, run, TimeZoneInfo.Utc);

        Assert.Equal(ExportStatus.Stopped, after.Status);
        Assert.Null(after.CurrentRunId);
    }

    private static ExportRun Run(ExportDefinition export, RunStatus status, string? reason = null) => new()
    {
        ExportId = export.Id,
        WindowStart = export.OneTimeWindow?.Start ?? new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero),
        WindowEnd = export.OneTimeWindow?.End ?? new DateTimeOffset(2026, 11, 21, 6, 0, 0, TimeSpan.Zero),
        DataType = export.DataType,
        Partner = export.Partner,
        ItemCount = 1,
        StartedAt = TestExports.CreatedAt,
        Status = status,
        Reason = reason,
    };
}
