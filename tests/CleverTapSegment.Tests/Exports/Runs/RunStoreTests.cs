using CleverTapSegment.Exports.Model;
using CleverTapSegment.Exports.Runs;

namespace CleverTapSegment.Tests.Exports.Runs;

[Collection("Azurite")]
public sealed class RunStoreTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 4, 0, 0, TimeSpan.Zero);

    private RunStore NewStore() => new(azurite.TableServiceClient);

    private static RunPlan Plan(DateOnly from, DateOnly to, params string[] events) =>
        RunPlan.For(TestExports.OneTime(from, to, events), TimeZoneInfo.Utc, Now);

    [Fact]
    public async Task Second_create_for_the_same_window_finds_the_first_run()
    {
        var store = NewStore();
        var plan = Plan(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 3), "App Launched", "Charged");
        var again = RunPlan.For(TestExports.OneTime(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 3), "App Launched", "Charged") with { Id = plan.Run.ExportId },
            TimeZoneInfo.Utc, Now.AddMinutes(15));

        var (first, firstCreated) = await store.CreateRunAsync(plan.Run, plan.Items);
        var (second, secondCreated) = await store.CreateRunAsync(again.Run, again.Items);

        Assert.True(firstCreated);
        Assert.False(secondCreated);
        Assert.Equal(first.Id, second.Id);
        Assert.Equal(Now, second.StartedAt);
        Assert.Equal(6, (await store.GetItemsAsync(first.Id)).Count);
    }

    [Fact]
    public async Task Item_write_with_a_stale_etag_is_refused()
    {
        var store = NewStore();
        var plan = Plan(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 1), "Charged");
        await store.CreateRunAsync(plan.Run, plan.Items);
        var mine = (await store.GetItemAsync(plan.Run.Id, plan.Items[0].Key))!;
        var theirs = (await store.GetItemAsync(plan.Run.Id, plan.Items[0].Key))!;

        theirs.Status = WorkItemStatus.Running;
        Assert.True(await store.TryUpdateItemAsync(theirs));
        mine.Cursor = "cursor-1";

        Assert.False(await store.TryUpdateItemAsync(mine));
        Assert.Null((await store.GetItemAsync(plan.Run.Id, plan.Items[0].Key))!.Cursor);
    }

    [Fact]
    public async Task Checkpoint_round_trips_cursor_counters_and_skip_reasons()
    {
        var store = NewStore();
        var plan = Plan(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 1), "Produkt gekauft 🛒/Web");
        await store.CreateRunAsync(plan.Run, plan.Items);
        var item = (await store.GetItemAsync(plan.Run.Id, plan.Items[0].Key))!;

        item.Status = WorkItemStatus.Running;
        item.Cursor = "ZyZjfwYEAgdjYmZ%2BNwMCAQMAZmZmeIzmY2dmYmZ";
        item.Pages = 2;
        item.Counters = new RunCounters(9998, 2, 0, new Dictionary<string, long> { ["no userId or anonymousId"] = 2 });
        item.LastCheckpointAt = Now;
        Assert.True(await store.TryUpdateItemAsync(item));

        var stored = (await store.GetItemAsync(plan.Run.Id, plan.Items[0].Key))!;
        Assert.Equal("Produkt gekauft 🛒/Web", stored.EventName);
        Assert.Equal(new DateOnly(2026, 11, 1), stored.Day);
        Assert.Equal(WorkItemStatus.Running, stored.Status);
        Assert.Equal(item.Cursor, stored.Cursor);
        Assert.Equal(2, stored.Pages);
        Assert.Equal((9998L, 2L, 0L), (stored.Counters.Exported, stored.Counters.Skipped, stored.Counters.Failed));
        Assert.Equal(2, stored.Counters.SkipReasons["no userId or anonymousId"]);
        Assert.Equal(Now, stored.LastCheckpointAt);
    }

    [Fact]
    public async Task Run_has_unfinished_items_until_the_last_one_finishes()
    {
        var store = NewStore();
        var plan = Plan(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 2), "Charged");
        await store.CreateRunAsync(plan.Run, plan.Items);

        foreach (var (item, index) in (await store.GetItemsAsync(plan.Run.Id)).Select((item, index) => (item, index)))
        {
            Assert.True(await store.HasUnfinishedItemsAsync(plan.Run.Id));
            item.Status = index == 0 ? WorkItemStatus.Done : WorkItemStatus.Skipped;
            Assert.True(await store.TryUpdateItemAsync(item));
        }

        Assert.False(await store.HasUnfinishedItemsAsync(plan.Run.Id));
    }

    [Fact]
    public async Task Runs_are_listed_newest_first_with_their_items_and_live_counters()
    {
        var store = NewStore();
        var export = TestExports.Recurring(6, new DateOnly(2026, 11, 21), "Charged");
        var earlier = RunPlan.For(export with { NextRunAt = new DateTimeOffset(2026, 11, 21, 6, 0, 0, TimeSpan.Zero) }, TimeZoneInfo.Utc, Now);
        var later = RunPlan.For(export with { NextRunAt = new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero) }, TimeZoneInfo.Utc, Now);
        await store.CreateRunAsync(earlier.Run, earlier.Items);
        await store.CreateRunAsync(later.Run, later.Items);
        var item = (await store.GetItemsAsync(later.Run.Id)).Single();
        item.Counters = new RunCounters(42, 0, 0, new Dictionary<string, long>());
        await store.TryUpdateItemAsync(item);

        var runs = await store.GetRunsAsync(export.Id);

        Assert.Equal([later.Run.Id, earlier.Run.Id], runs.Select(run => run.Id));
        Assert.Equal(RunStatus.Running, runs[0].Status);
        Assert.Equal(42, runs[0].Counters.Exported);
        Assert.Equal("Charged", Assert.Single(runs[0].Items).Event);
    }

    [Fact]
    public async Task Open_runs_query_finds_running_runs_and_closed_ones_not_yet_applied()
    {
        var store = NewStore();
        var running = Plan(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 1), "Charged");
        var closed = Plan(new DateOnly(2026, 11, 2), new DateOnly(2026, 11, 2), "Charged");
        var applied = Plan(new DateOnly(2026, 11, 3), new DateOnly(2026, 11, 3), "Charged");
        foreach (var plan in new[] { running, closed, applied })
            await store.CreateRunAsync(plan.Run, plan.Items);
        closed.Run.Status = RunStatus.Done;
        Assert.True(await store.TryUpdateRunAsync(closed.Run));
        applied.Run.Status = RunStatus.Done;
        applied.Run.AppliedToExport = true;
        Assert.True(await store.TryUpdateRunAsync(applied.Run));

        var open = new List<string>();
        await foreach (var run in store.QueryOpenRunsAsync())
            open.Add(run.Id);

        Assert.Contains(running.Run.Id, open);
        Assert.Contains(closed.Run.Id, open);
        Assert.DoesNotContain(applied.Run.Id, open);
    }
}
