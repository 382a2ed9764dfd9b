using CleverTapSegment.Exports.Model;

namespace CleverTapSegment.Tests.Exports.Model;

public sealed class OneTimeWindowTests
{
    private static readonly TimeZoneInfo s_utc = TimeZoneInfo.Utc;
    private static readonly DateTimeOffset s_now = Utc("2026-11-22T10:00:00");

    [Fact]
    public void A_day_is_that_whole_project_day()
    {
        var window = Resolve(new OneTimeRequest(Day("2026-11-20"), null, null));
        Assert.Equal(new ExportWindow(Utc("2026-11-20T00:00:00"), Utc("2026-11-21T00:00:00")), window);
    }

    [Fact]
    public void A_range_includes_both_end_days()
    {
        var window = Resolve(new OneTimeRequest(Day("2026-11-01"), Day("2026-11-03"), null));
        Assert.Equal(new ExportWindow(Utc("2026-11-01T00:00:00"), Utc("2026-11-04T00:00:00")), window);
    }

    [Fact]
    public void A_range_ending_today_ends_now()
    {
        var window = Resolve(new OneTimeRequest(Day("2026-11-21"), Day("2026-11-22"), null));
        Assert.Equal(s_now, window.End);
    }

    [Fact]
    public void A_range_may_start_exactly_60_days_back()
    {
        var window = Resolve(new OneTimeRequest(Day("2026-09-23"), Day("2026-09-23"), null));
        Assert.Equal(Utc("2026-09-23T00:00:00"), window.Start);
    }

    [Theory]
    [InlineData("2026-09-22", "2026-09-30", "oneTime.from")]
    [InlineData("2026-11-20", "2026-11-23", "oneTime.to")]
    [InlineData("2026-11-20", "2026-11-19", "oneTime.to")]
    public void An_invalid_range_names_the_field_at_fault(string from, string to, string field)
    {
        Assert.False(ExportSchedule.TryResolveOneTime(new OneTimeRequest(Day(from), Day(to), null), s_now, s_utc, out _, out var error));
        Assert.Equal(field, error!.Value.Field);
    }

    [Fact]
    public void A_preset_with_dates_is_refused()
    {
        Assert.False(ExportSchedule.TryResolveOneTime(new OneTimeRequest(Day("2026-11-20"), null, OneTimePreset.Yesterday), s_now, s_utc, out _, out var error));
        Assert.Equal("oneTime.preset", error!.Value.Field);
    }

    [Fact]
    public void Yesterday_is_the_project_day_before_today()
    {
        Assert.Equal(new ExportWindow(Utc("2026-11-21T00:00:00"), Utc("2026-11-22T00:00:00")), Resolve(new OneTimeRequest(null, null, OneTimePreset.Yesterday)));
    }

    [Fact]
    public void Yesterday_follows_the_project_time_zone_not_utc()
    {
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        // 03:00 UTC on the 22nd is 22:00 on the 21st in New York, so "yesterday" there is the 20th (EST, UTC-5).
        Assert.True(ExportSchedule.TryResolveOneTime(new OneTimeRequest(null, null, OneTimePreset.Yesterday), Utc("2026-11-22T03:00:00"), newYork, out var window, out _));
        Assert.Equal(new ExportWindow(Utc("2026-11-20T05:00:00"), Utc("2026-11-21T05:00:00")), window);
    }

    [Theory]
    [InlineData("2026-11-22T10:00:00", "2026-10-01T00:00:00", "2026-11-01T00:00:00")]
    [InlineData("2026-01-15T10:00:00", "2025-12-01T00:00:00", "2026-01-01T00:00:00")]
    [InlineData("2028-03-10T10:00:00", "2028-02-01T00:00:00", "2028-03-01T00:00:00")]
    [InlineData("2027-03-31T23:00:00", "2027-02-01T00:00:00", "2027-03-01T00:00:00")]
    [InlineData("2026-08-31T12:00:00", "2026-07-01T00:00:00", "2026-08-01T00:00:00")]
    public void Previous_month_is_the_whole_calendar_month_across_year_ends_and_leap_years(string now, string start, string end)
    {
        Assert.True(ExportSchedule.TryResolveOneTime(new OneTimeRequest(null, null, OneTimePreset.PreviousMonth), Utc(now), s_utc, out var window, out _));
        Assert.Equal(new ExportWindow(Utc(start), Utc(end)), window);
    }

    [Fact]
    public void Leap_february_has_29_days()
    {
        Assert.True(ExportSchedule.TryResolveOneTime(new OneTimeRequest(null, null, OneTimePreset.PreviousMonth), Utc("2028-03-10T10:00:00"), s_utc, out var window, out _));
        Assert.Equal(TimeSpan.FromDays(29), window.Duration);
        Assert.Equal(29, ExportSchedule.ProjectDays(window, s_utc).Count);
    }

    [Fact]
    public void Current_month_runs_from_the_first_up_to_now()
    {
        Assert.Equal(new ExportWindow(Utc("2026-11-01T00:00:00"), s_now), Resolve(new OneTimeRequest(null, null, OneTimePreset.CurrentMonth)));
    }

    [Fact]
    public void Neither_preset_nor_from_is_refused_on_from()
    {
        Assert.False(ExportSchedule.TryResolveOneTime(new OneTimeRequest(null, null, null), s_now, s_utc, out _, out var error));
        Assert.Equal("oneTime.from", error!.Value.Field);
    }

    private static ExportWindow Resolve(OneTimeRequest request)
    {
        Assert.True(ExportSchedule.TryResolveOneTime(request, s_now, s_utc, out var window, out var error), error?.Message);
        return window;
    }

    internal static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text + "Z", System.Globalization.CultureInfo.InvariantCulture);

    internal static DateOnly Day(string text) => DateOnly.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
}

public sealed class RecurringScheduleTests
{
    private static readonly TimeZoneInfo s_berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static readonly TimeZoneInfo s_newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    [Fact]
    public void First_run_is_midnight_of_the_start_date_in_project_time()
    {
        Assert.Equal(Utc("2026-11-22T23:00:00"), ExportSchedule.FirstRunAt(Day("2026-11-23"), s_berlin));
        Assert.Equal(Utc("2026-07-01T04:00:00"), ExportSchedule.FirstRunAt(Day("2026-07-01"), s_newYork));
    }

    [Fact]
    public void Before_the_first_run_the_next_run_is_the_first_run()
    {
        Assert.Equal(Utc("2026-11-22T23:00:00"), ExportSchedule.NextRunAt(Utc("2026-11-01T00:00:00"), 6, Day("2026-11-23"), s_berlin));
    }

    [Fact]
    public void Runs_keep_their_local_hours_over_spring_forward_in_Berlin()
    {
        // 29 March 2026: 02:00 CET becomes 03:00 CEST. 00:00 CET = 23:00Z; 06:00 CEST = 04:00Z (five real hours later).
        var next = ExportSchedule.NextRunAt(Utc("2026-03-28T23:00:00"), 6, Day("2026-03-28"), s_berlin);
        Assert.Equal(Utc("2026-03-29T04:00:00"), next);
        var window = ExportSchedule.WindowForRunAt(next, 6, s_berlin);
        Assert.Equal(new ExportWindow(Utc("2026-03-28T23:00:00"), Utc("2026-03-29T04:00:00")), window);
    }

    [Fact]
    public void Runs_keep_their_local_hours_over_fall_back_in_Berlin()
    {
        // 25 October 2026: 03:00 CEST becomes 02:00 CET. 00:00 CEST = 22:00Z; 06:00 CET = 05:00Z (seven real hours later).
        var next = ExportSchedule.NextRunAt(Utc("2026-10-24T22:00:00"), 6, Day("2026-10-24"), s_berlin);
        Assert.Equal(Utc("2026-10-25T05:00:00"), next);
        Assert.Equal(TimeSpan.FromHours(7), ExportSchedule.WindowForRunAt(next, 6, s_berlin).Duration);
    }

    [Fact]
    public void An_ambiguous_local_run_time_takes_the_earlier_instant_in_New_York()
    {
        // Every 5 h from 31 October: the sixth run is 01:00 on 1 November, which happens twice (EDT, then EST).
        var start = Day("2026-10-31");
        var ambiguous = ExportSchedule.NextRunAt(Utc("2026-11-01T00:00:00"), 5, start, s_newYork);
        Assert.Equal(Utc("2026-11-01T05:00:00"), ambiguous);
        var after = ExportSchedule.NextRunAt(ambiguous, 5, start, s_newYork);
        Assert.Equal(Utc("2026-11-01T11:00:00"), after);
        Assert.Equal(new ExportWindow(ambiguous, after), ExportSchedule.WindowForRunAt(after, 5, s_newYork));
    }

    [Fact]
    public void A_local_run_time_in_the_spring_gap_moves_forward_by_the_gap_in_New_York()
    {
        // Every 13 h from 7 March: the third run is 02:00 on 8 March, which does not exist; it runs at 03:00 EDT = 07:00Z.
        var next = ExportSchedule.NextRunAt(Utc("2026-03-07T18:00:00"), 13, Day("2026-03-07"), s_newYork);
        Assert.Equal(Utc("2026-03-08T07:00:00"), next);
    }

    [Fact]
    public void A_grid_that_does_not_divide_a_day_carries_over_month_ends()
    {
        var utc = TimeZoneInfo.Utc;
        Assert.Equal(Utc("2026-02-01T04:00:00"), ExportSchedule.NextRunAt(Utc("2026-01-31T21:00:00"), 7, Day("2026-01-31"), utc));
        Assert.Equal(Utc("2028-02-29T00:00:00"), ExportSchedule.NextRunAt(Utc("2028-02-28T00:00:00"), 24, Day("2028-02-01"), utc));
        Assert.Equal(Utc("2028-03-01T00:00:00"), ExportSchedule.NextRunAt(Utc("2028-02-29T00:00:00"), 24, Day("2028-02-01"), utc));
    }

    [Fact]
    public void Next_run_from_a_moment_between_runs_is_the_following_grid_point()
    {
        Assert.Equal(Utc("2026-11-23T12:00:00"), ExportSchedule.NextRunAt(Utc("2026-11-23T09:30:00"), 4, Day("2026-11-23"), TimeZoneInfo.Utc));
    }

    [Theory]
    [InlineData("Europe/Berlin", 5)]
    [InlineData("Europe/Berlin", 6)]
    [InlineData("America/New_York", 4)]
    [InlineData("America/New_York", 7)]
    [InlineData("Australia/Lord_Howe", 9)]
    public void Consecutive_windows_meet_exactly_through_a_year_of_DST_changes(string timeZoneId, int everyHours)
    {
        var timeZone = TimeZoneInfo.FindSystemTimeZoneById(timeZoneId);
        var startDate = Day("2026-01-01");
        var runAt = ExportSchedule.FirstRunAt(startDate, timeZone);
        var previousEnd = ExportSchedule.WindowForRunAt(runAt, everyHours, timeZone).End;
        for (var run = 0; run < 365 * 24 / everyHours; run++)
        {
            var next = ExportSchedule.NextRunAt(runAt, everyHours, startDate, timeZone);
            var window = ExportSchedule.WindowForRunAt(next, everyHours, timeZone, previousEnd);
            Assert.Equal(previousEnd, window.Start);
            Assert.Equal(next, window.End);
            Assert.InRange(window.Duration, TimeSpan.FromHours(everyHours - 1), TimeSpan.FromHours(everyHours + 1));
            (runAt, previousEnd) = (next, window.End);
        }
    }

    [Fact]
    public void A_run_whose_slot_fell_in_the_spring_gap_still_starts_where_the_previous_window_ended()
    {
        // Every 5 h in Berlin: 21:00 CET on 28 March, then 02:00 on the 29th, which does not exist (runs 03:00 CEST).
        var start = Day("2026-01-01");
        var before = ExportSchedule.NextRunAt(Utc("2026-03-28T19:30:00"), 5, start, s_berlin);
        var shifted = ExportSchedule.NextRunAt(before, 5, start, s_berlin);
        Assert.Equal((Utc("2026-03-28T20:00:00"), Utc("2026-03-29T01:00:00")), (before, shifted));
        Assert.Equal(new ExportWindow(before, shifted), ExportSchedule.WindowForRunAt(shifted, 5, s_berlin, previousWindowEnd: before));
    }

    [Fact]
    public void The_first_window_is_the_hours_before_the_first_run()
    {
        var first = ExportSchedule.FirstRunAt(Day("2026-11-23"), s_berlin);
        Assert.Equal(new ExportWindow(Utc("2026-11-22T17:00:00"), first), ExportSchedule.WindowForRunAt(first, 6, s_berlin));
    }

    [Fact]
    public void A_window_reaches_back_to_the_previous_window_end_when_that_is_earlier()
    {
        var window = ExportSchedule.WindowForRunAt(Utc("2026-11-23T12:00:00"), 4, TimeZoneInfo.Utc, previousWindowEnd: Utc("2026-11-23T04:00:00"));
        Assert.Equal(new ExportWindow(Utc("2026-11-23T04:00:00"), Utc("2026-11-23T12:00:00")), window);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(25)]
    public void Every_hours_outside_4_to_24_is_refused(int everyHours)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ExportSchedule.NextRunAt(Utc("2026-11-23T00:00:00"), everyHours, Day("2026-11-23"), TimeZoneInfo.Utc));
    }

    private static DateTimeOffset Utc(string text) => OneTimeWindowTests.Utc(text);

    private static DateOnly Day(string text) => OneTimeWindowTests.Day(text);
}

public sealed class ProjectDaysTests
{
    [Fact]
    public void A_window_of_whole_days_gives_those_days()
    {
        var days = ExportSchedule.ProjectDays(new ExportWindow(Utc("2026-11-01T00:00:00"), Utc("2026-11-04T00:00:00")), TimeZoneInfo.Utc);
        Assert.Equal([Day("2026-11-01"), Day("2026-11-02"), Day("2026-11-03")], days);
    }

    [Fact]
    public void Days_are_project_local_so_a_utc_window_can_touch_an_extra_day()
    {
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var days = ExportSchedule.ProjectDays(new ExportWindow(Utc("2026-11-01T00:00:00"), Utc("2026-11-04T00:00:00")), newYork);
        Assert.Equal([Day("2026-10-31"), Day("2026-11-01"), Day("2026-11-02"), Day("2026-11-03")], days);
    }

    [Fact]
    public void A_recurring_window_across_midnight_touches_both_days()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var window = ExportSchedule.WindowForRunAt(ExportSchedule.FirstRunAt(Day("2026-11-23"), berlin).AddHours(2), 4, berlin);
        Assert.Equal([Day("2026-11-22"), Day("2026-11-23")], ExportSchedule.ProjectDays(window, berlin));
    }

    [Fact]
    public void An_empty_window_has_no_days()
    {
        Assert.Empty(ExportSchedule.ProjectDays(new ExportWindow(Utc("2026-11-01T00:00:00"), Utc("2026-11-01T00:00:00")), TimeZoneInfo.Utc));
    }

    private static DateTimeOffset Utc(string text) => OneTimeWindowTests.Utc(text);

    private static DateOnly Day(string text) => OneTimeWindowTests.Day(text);
}
