namespace CleverTapSegment.Exports.Model;

/// <summary>A time window <c>[Start, End)</c>; both ends are instants (stored as UTC).</summary>
public readonly record struct ExportWindow(DateTimeOffset Start, DateTimeOffset End)
{
    public TimeSpan Duration => End - Start;

    public bool Contains(DateTimeOffset instant) => instant >= Start && instant < End;

    public static implicit operator (DateTimeOffset Start, DateTimeOffset End)(ExportWindow window) => (window.Start, window.End);

    public static implicit operator ExportWindow((DateTimeOffset Start, DateTimeOffset End) window) => new(window.Start, window.End);
}

/// <summary>
/// Schedule arithmetic of exports, all in the CleverTap project's time zone (<c>CleverTap__TimeZone</c>), because
/// CleverTap's export days and record timestamps are project-local (https://developer.clevertap.com/docs/get-events-api).
/// <para>
/// One-time: a day, a range of days within the last 60 days, or a preset; resolved once to a UTC window.
/// Recurring: runs sit on a grid of project-local wall-clock times, 00:00 of the start date plus multiples of
/// <c>everyHours</c> (https://docs.clevertap.com/docs/segmentcom: "The export starts at 12:00 a.m. on the specified date by default"); the first run
/// exports <c>[runAt − everyHours, runAt)</c> and each later one picks up where the previous window ended. Doing the
/// arithmetic on the wall clock keeps runs at the same local hours across DST changes (a window on a DST day simply
/// lasts an hour more or less), and chaining windows means nothing is exported twice or missed.
/// </para>
/// <para>
/// Local times that do not exist (the spring-forward gap) are read with the offset in force before the gap, i.e.
/// shifted forward by the gap; ambiguous ones (fall-back) take the earlier instant. Both rules are monotonic, so
/// windows never run backwards.
/// </para>
/// </summary>
public static class ExportSchedule
{
    /// <summary>Seed 002 ("FREQUENCY"): "You can export data up to the last 60 days."</summary>
    public const int MaxDaysBack = 60;

    /// <summary>Seed 002 ("FREQUENCY"): "as frequently as every 4 hours and up to once every 24 hours".</summary>
    public const int MinEveryHours = 4;

    public const int MaxEveryHours = 24;

    /// <summary>
    /// Resolves a one-time request at <paramref name="now"/>: a day (<c>from</c> = <c>to</c>), a range of whole
    /// project-local days (inclusive; the first day at most <see cref="MaxDaysBack"/> days before today, none in the
    /// future; a range ending today ends now), or a preset (<c>yesterday</c>; <c>previousMonth</c>; <c>currentMonth</c>
    /// up to now). Presets are not held to the 60 days: the previous month can start 61 days back (e.g. on 31 August)
    /// and is still offered by the product. Returns the error text (naming the field) when the request is invalid.
    /// </summary>
    public static bool TryResolveOneTime(OneTimeRequest request, DateTimeOffset now, TimeZoneInfo timeZone,
        out ExportWindow window, out (string Field, string Message)? error)
    {
        window = default;
        error = null;
        var today = LocalDate(now, timeZone);
        if (request.Preset is { } preset)
        {
            if (request.From is not null || request.To is not null)
            {
                error = ("oneTime.preset", "give either a preset or from/to, not both");
                return false;
            }
            window = preset switch
            {
                OneTimePreset.Yesterday => DaysWindow(today.AddDays(-1), today.AddDays(-1), now, timeZone),
                OneTimePreset.PreviousMonth => DaysWindow(FirstOfMonth(today).AddMonths(-1), FirstOfMonth(today).AddDays(-1), now, timeZone),
                OneTimePreset.CurrentMonth => DaysWindow(FirstOfMonth(today), today, now, timeZone),
                _ => throw new ArgumentOutOfRangeException(nameof(request), preset, "unknown preset"),
            };
            return true;
        }

        if (request.From is not { } from)
        {
            error = ("oneTime.from", "a one-time export needs a preset or a from date (yyyy-MM-dd)");
            return false;
        }
        var to = request.To ?? from;
        if (to < from)
            error = ("oneTime.to", "must not be before oneTime.from");
        else if (to > today)
            error = ("oneTime.to", $"must not be after today ({today:yyyy-MM-dd} in the project time zone)");
        else if (from < today.AddDays(-MaxDaysBack))
            error = ("oneTime.from", $"must be within the last {MaxDaysBack} days (on or after {today.AddDays(-MaxDaysBack):yyyy-MM-dd})");
        if (error is not null)
            return false;
        window = DaysWindow(from, to, now, timeZone);
        return true;
    }

    /// <summary>The first run of a recurring export: 00:00 project time on <paramref name="startDate"/>.</summary>
    public static DateTimeOffset FirstRunAt(DateOnly startDate, TimeZoneInfo timeZone) =>
        ToInstant(startDate.ToDateTime(TimeOnly.MinValue), timeZone);

    /// <summary>
    /// The window the run at <paramref name="runAt"/> exports. Runs chain: given the previous run's window end
    /// (<paramref name="previousWindowEnd"/>, <c>ExportDefinition.LastWindowEnd</c>), the window is
    /// <c>[previousWindowEnd, runAt)</c>, so a late run, a changed <c>everyHours</c> or a run time moved by a DST gap
    /// neither skips nor repeats data. The first run has no predecessor: it exports <c>[runAt − everyHours, runAt)</c>
    /// in project wall-clock time.
    /// </summary>
    public static ExportWindow WindowForRunAt(DateTimeOffset runAt, int everyHours, TimeZoneInfo timeZone, DateTimeOffset? previousWindowEnd = null)
    {
        CheckEveryHours(everyHours);
        var start = previousWindowEnd is { } previous && previous < runAt
            ? previous
            : ToInstant(ToLocal(runAt, timeZone).AddHours(-everyHours), timeZone);
        return new ExportWindow(start.ToUniversalTime(), runAt.ToUniversalTime());
    }

    /// <summary>
    /// The first grid point strictly after <paramref name="after"/> (the first run when <paramref name="after"/> is
    /// before it). Pass the run time of the run that just finished to get the adjacent next run, which may already
    /// be due (catch-up after downtime); pass "now" to skip to the future.
    /// </summary>
    public static DateTimeOffset NextRunAt(DateTimeOffset after, int everyHours, DateOnly startDate, TimeZoneInfo timeZone)
    {
        CheckEveryHours(everyHours);
        var gridStart = startDate.ToDateTime(TimeOnly.MinValue);
        var first = ToInstant(gridStart, timeZone);
        if (after < first)
            return first;
        // Wall-clock hours since the grid start; the conversion is monotonic, so at most a step or two of correction.
        var elapsedHours = (ToLocal(after, timeZone) - gridStart).TotalHours;
        var step = (long)Math.Floor(elapsedHours / everyHours);
        while (true)
        {
            var candidate = ToInstant(gridStart.AddHours(step * everyHours), timeZone);
            if (candidate > after)
                return candidate;
            step++;
        }
    }

    /// <summary>The project-local days a window touches (CleverTap export requests are per whole day, https://developer.clevertap.com/docs/get-events-api).</summary>
    public static IReadOnlyList<DateOnly> ProjectDays(ExportWindow window, TimeZoneInfo timeZone)
    {
        if (window.End <= window.Start)
            return [];
        var first = LocalDate(window.Start, timeZone);
        var last = LocalDate(window.End.AddTicks(-1), timeZone);
        var days = new List<DateOnly>(last.DayNumber - first.DayNumber + 1);
        for (var day = first; day <= last; day = day.AddDays(1))
            days.Add(day);
        return days;
    }

    /// <summary>The project-local date of an instant.</summary>
    public static DateOnly LocalDate(DateTimeOffset instant, TimeZoneInfo timeZone) => DateOnly.FromDateTime(ToLocal(instant, timeZone));

    /// <summary>The start of a project-local day as an instant.</summary>
    public static DateTimeOffset StartOfDay(DateOnly day, TimeZoneInfo timeZone) => ToInstant(day.ToDateTime(TimeOnly.MinValue), timeZone);

    /// <summary>A project-local wall-clock time as an instant (gap: pre-gap offset; ambiguous: earlier instant).</summary>
    public static DateTimeOffset ToInstant(DateTime localWallClock, TimeZoneInfo timeZone)
    {
        var local = DateTime.SpecifyKind(localWallClock, DateTimeKind.Unspecified);
        TimeSpan offset;
        if (timeZone.IsInvalidTime(local))
            offset = timeZone.GetUtcOffset(LastValidBefore(local, timeZone));
        else if (timeZone.IsAmbiguousTime(local))
            offset = timeZone.GetAmbiguousTimeOffsets(local).Max();
        else
            offset = timeZone.GetUtcOffset(local);
        return new DateTimeOffset(local.Ticks - offset.Ticks, TimeSpan.Zero);
    }

    private static DateTime ToLocal(DateTimeOffset instant, TimeZoneInfo timeZone) =>
        DateTime.SpecifyKind(TimeZoneInfo.ConvertTime(instant, timeZone).DateTime, DateTimeKind.Unspecified);

    // Gaps are whole minutes to a few hours long; stepping back in quarter hours finds the pre-gap side quickly.
    private static DateTime LastValidBefore(DateTime localInGap, TimeZoneInfo timeZone)
    {
        var before = localInGap;
        while (timeZone.IsInvalidTime(before))
            before = before.AddMinutes(-15);
        return before;
    }

    private static ExportWindow DaysWindow(DateOnly from, DateOnly to, DateTimeOffset now, TimeZoneInfo timeZone)
    {
        var start = StartOfDay(from, timeZone);
        var end = StartOfDay(to.AddDays(1), timeZone);
        if (end > now)
            end = now;
        return new ExportWindow(start.ToUniversalTime(), end.ToUniversalTime());
    }

    private static DateOnly FirstOfMonth(DateOnly day) => new(day.Year, day.Month, 1);

    private static void CheckEveryHours(int everyHours)
    {
        if (everyHours is < MinEveryHours or > MaxEveryHours)
            throw new ArgumentOutOfRangeException(nameof(everyHours), everyHours, $"must be {MinEveryHours}..{MaxEveryHours}");
    }
}
