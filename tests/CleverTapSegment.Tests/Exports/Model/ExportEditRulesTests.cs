using CleverTapSegment.CleverTap;
using CleverTapSegment.Exports.Model;

namespace CleverTapSegment.Tests.Exports.Model;

public sealed class ExportEditRulesTests
{
    private static readonly DateTimeOffset s_now = OneTimeWindowTests.Utc("2026-11-22T10:00:00");

    /// <summary>For each rule, an export and a patch that break that rule and no earlier one.</summary>
    private static readonly Dictionary<string, (ExportDefinition Export, ExportPatch Patch)> s_violations = new()
    {
        [ExportEditRules.OneTimeNotEditable.Name] = (OneTime(ExportStatus.Pending), new ExportPatch { EveryHours = 6 }),
        [ExportEditRules.OnlyPendingOrRunning.Name] = (Recurring(ExportStatus.Done), new ExportPatch { EveryHours = 6 }),
        [ExportEditRules.DataTypeFixed.Name] = (Recurring(ExportStatus.Pending), new ExportPatch { DataType = ExportDataType.Profiles }),
        [ExportEditRules.FrequencyFixed.Name] = (Recurring(ExportStatus.Running), new ExportPatch { Frequency = ExportFrequency.OneTime }),
    };

    public static TheoryData<string> RuleNames() => new(ExportEditRules.All.Select(rule => rule.Name));

    [Theory]
    [MemberData(nameof(RuleNames))]
    public void Each_rule_is_reported_by_name_when_broken(string ruleName)
    {
        Assert.True(s_violations.TryGetValue(ruleName, out var violation), $"no violating case for rule '{ruleName}'");
        var rule = ExportEditRules.FindViolation(violation.Export, violation.Patch);
        Assert.Equal(ruleName, rule?.Name);
        Assert.Contains($"'{ruleName}'", rule!.Describe(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ExportStatus.Pending)]
    [InlineData(ExportStatus.Running)]
    [InlineData(ExportStatus.Done)]
    [InlineData(ExportStatus.Stopped)]
    [InlineData(ExportStatus.Failed)]
    public void A_one_time_export_is_never_editable_whatever_its_status(ExportStatus status)
    {
        Assert.Same(ExportEditRules.OneTimeNotEditable, ExportEditRules.FindViolation(OneTime(status), new ExportPatch()));
    }

    [Theory]
    [InlineData(ExportStatus.Done)]
    [InlineData(ExportStatus.Stopped)]
    public void A_finished_recurring_export_is_not_editable(ExportStatus status)
    {
        Assert.Same(ExportEditRules.OnlyPendingOrRunning, ExportEditRules.FindViolation(Recurring(status), new ExportPatch { EveryHours = 8 }));
    }

    [Theory]
    [InlineData(ExportStatus.Pending)]
    [InlineData(ExportStatus.Running)]
    public void A_live_recurring_export_accepts_a_schedule_and_event_change(ExportStatus status)
    {
        var patch = new ExportPatch
        {
            DataType = ExportDataType.Events,
            Frequency = ExportFrequency.Recurring,
            EveryHours = 8,
            Events = new ExportEvents(EventSelection.Selected, ["Charged"]),
        };
        Assert.Null(ExportEditRules.FindViolation(Recurring(status), patch));
    }

    [Fact]
    public void Editing_a_pending_export_moves_its_next_run_onto_the_new_schedule()
    {
        var export = Recurring(ExportStatus.Pending) with { LastRunAt = OneTimeWindowTests.Utc("2026-11-22T06:00:00") };
        var updated = ExportEditRules.Apply(export, new ExportPatch { EveryHours = 8 }, s_now, TimeZoneInfo.Utc);
        Assert.Equal(8, updated.Recurring!.EveryHours);
        Assert.Equal(OneTimeWindowTests.Utc("2026-11-22T08:00:00"), updated.NextRunAt);
    }

    [Fact]
    public void Editing_a_running_export_leaves_the_next_run_to_its_completion()
    {
        var updated = ExportEditRules.Apply(Recurring(ExportStatus.Running), new ExportPatch { EveryHours = 12 }, s_now, TimeZoneInfo.Utc);
        Assert.Equal(12, updated.Recurring!.EveryHours);
        Assert.Null(updated.NextRunAt);
        Assert.Equal(ExportStatus.Running, updated.Status);
    }

    [Fact]
    public void A_new_start_date_before_any_run_moves_the_first_run()
    {
        var updated = ExportEditRules.Apply(Recurring(ExportStatus.Pending), new ExportPatch { StartDate = OneTimeWindowTests.Day("2026-12-01") }, s_now, TimeZoneInfo.Utc);
        Assert.Equal(OneTimeWindowTests.Utc("2026-12-01T00:00:00"), updated.NextRunAt);
    }

    private static ExportDefinition OneTime(ExportStatus status) => new()
    {
        Id = "0000000000000000001-aaaaaaaa",
        Partner = "prod",
        DataType = ExportDataType.Events,
        Events = new ExportEvents(EventSelection.AllSystem, []),
        Frequency = ExportFrequency.OneTime,
        OneTime = new OneTimeRequest(null, null, OneTimePreset.Yesterday),
        OneTimeWindow = new ExportWindow(s_now.AddDays(-1), s_now),
        Status = status,
        CreatedAt = s_now,
    };

    private static ExportDefinition Recurring(ExportStatus status) => new()
    {
        Id = "0000000000000000002-aaaaaaaa",
        Partner = "prod",
        DataType = ExportDataType.Events,
        Events = new ExportEvents(EventSelection.Engagement, []),
        Frequency = ExportFrequency.Recurring,
        Recurring = new RecurringSchedule(6, OneTimeWindowTests.Day("2026-11-22")),
        Status = status,
        CreatedAt = s_now,
    };
}
