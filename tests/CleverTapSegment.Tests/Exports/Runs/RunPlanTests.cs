using CleverTapSegment.CleverTap;
using CleverTapSegment.Exports.Model;
using CleverTapSegment.Exports.Runs;

namespace CleverTapSegment.Tests.Exports.Runs;

public sealed class RunPlanTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 4, 0, 0, TimeSpan.Zero);

    [Fact]
    public void One_time_range_makes_one_item_per_event_and_project_day()
    {
        var export = TestExports.OneTime(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 3), "App Launched", "Charged");

        var plan = RunPlan.For(export, TimeZoneInfo.Utc, Now);

        Assert.Equal(export.OneTimeWindow!.Value.Start, plan.Run.WindowStart);
        Assert.Equal(export.OneTimeWindow!.Value.End, plan.Run.WindowEnd);
        Assert.Equal(6, plan.Run.ItemCount);
        Assert.Equal(
            [
                ("App Launched", new DateOnly(2026, 11, 1)), ("App Launched", new DateOnly(2026, 11, 2)), ("App Launched", new DateOnly(2026, 11, 3)),
                ("Charged", new DateOnly(2026, 11, 1)), ("Charged", new DateOnly(2026, 11, 2)), ("Charged", new DateOnly(2026, 11, 3)),
            ],
            plan.Items.Select(item => (item.EventName, item.Day)));
        Assert.All(plan.Items, item => Assert.Equal(WorkItemStatus.Pending, item.Status));
        Assert.All(plan.Items, item => Assert.Equal(plan.Run.Id, item.RunId));
        Assert.Equal(6, plan.Items.Select(item => item.Key).Distinct().Count());
    }

    [Fact]
    public void Days_are_project_local_so_a_utc_window_can_touch_an_extra_day()
    {
        var kolkata = TimeZoneInfo.FindSystemTimeZoneById("Asia/Kolkata");
        var export = TestExports.OneTime(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 1), "Charged");

        // 2026-11-01T00:00Z..2026-11-02T00:00Z is 05:30 on the 1st to 05:30 on the 2nd in Kolkata.
        var plan = RunPlan.For(export, kolkata, Now);

        Assert.Equal([new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 2)], plan.Items.Select(item => item.Day));
    }

    [Fact]
    public void Recurring_run_exports_the_slot_ending_at_its_run_time()
    {
        var export = TestExports.Recurring(6, new DateOnly(2026, 11, 21), "Charged") with
        {
            NextRunAt = new DateTimeOffset(2026, 11, 21, 6, 0, 0, TimeSpan.Zero),
            LastWindowEnd = new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero),
        };

        var plan = RunPlan.For(export, TimeZoneInfo.Utc, Now);

        Assert.Equal(new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero), plan.Run.WindowStart);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 6, 0, 0, TimeSpan.Zero), plan.Run.WindowEnd);
        Assert.Equal(export.NextRunAt, plan.RunAt);
        Assert.Equal([new DateOnly(2026, 11, 21)], plan.Items.Select(item => item.Day));
    }

    [Fact]
    public void Recurring_window_crossing_midnight_touches_both_days()
    {
        var export = TestExports.Recurring(6, new DateOnly(2026, 11, 20), "Charged") with
        {
            NextRunAt = new DateTimeOffset(2026, 11, 21, 3, 0, 0, TimeSpan.Zero),
            Recurring = new RecurringSchedule(6, new DateOnly(2026, 11, 20)),
        };

        var plan = RunPlan.For(export, TimeZoneInfo.Utc, Now);

        Assert.Equal([new DateOnly(2026, 11, 20), new DateOnly(2026, 11, 21)], plan.Items.Select(item => item.Day));
    }

    [Fact]
    public void Profiles_export_makes_one_item_per_day_for_its_selection_event()
    {
        var export = TestExports.OneTime(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 2)) with
        {
            DataType = ExportDataType.Profiles,
            Events = null,
            ProfileEvent = "App Launched",
        };

        var plan = RunPlan.For(export, TimeZoneInfo.Utc, Now);

        Assert.Equal(ExportDataType.Profiles, plan.Run.DataType);
        Assert.Equal([("App Launched", new DateOnly(2026, 11, 1)), ("App Launched", new DateOnly(2026, 11, 2))],
            plan.Items.Select(item => (item.EventName, item.Day)));
    }

    [Fact]
    public void System_event_selection_expands_to_the_catalog()
    {
        var export = TestExports.OneTime(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 1)) with
        {
            Events = new ExportEvents(EventSelection.AllSystem, []),
        };

        var plan = RunPlan.For(export, TimeZoneInfo.Utc, Now);

        Assert.Equal(EventCatalog.AllSystem, plan.Items.Select(item => item.EventName));
    }
}
