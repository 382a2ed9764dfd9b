using System.Globalization;
using System.Text.Json;

namespace CleverTapSegment.Exports.Mapping;

/// <summary>
/// CleverTap export <c>ts</c> values: <c>yyyyMMddHHmmss</c> wall-clock time in the project's time zone (not epoch,
/// not UTC), as a 14-digit number. https://developer.clevertap.com/docs/get-events-api ; bruin-data/ingestr
/// <c>parseEventTimestamp</c>.
/// </summary>
public static class ProjectLocalTime
{
    private const string Format = "yyyyMMddHHmmss";

    /// <summary>Reads <c>ts</c> (a number or a string of 14 digits) as a project-local wall-clock time.</summary>
    public static bool TryReadTs(JsonElement ts, out DateTime local, out string text)
    {
        local = default;
        text = ts.ValueKind switch
        {
            JsonValueKind.Number => ts.GetRawText(),
            JsonValueKind.String => ts.GetString() ?? "",
            _ => "",
        };
        return text.Length == Format.Length
            && DateTime.TryParseExact(text, Format, CultureInfo.InvariantCulture, DateTimeStyles.None, out local);
    }

    /// <summary>
    /// The UTC instant of a project-local wall-clock time, deterministic around DST changes, as NodaTime's lenient
    /// resolver: an ambiguous time (clocks going back) is the earlier instant; a skipped time (clocks going forward)
    /// is read with the offset in force before the gap, i.e. shifted forward by the gap.
    /// </summary>
    public static DateTimeOffset ToUtc(DateTime local, TimeZoneInfo zone)
    {
        var wallClock = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        TimeSpan offset;
        if (zone.IsAmbiguousTime(wallClock))
            offset = zone.GetAmbiguousTimeOffsets(wallClock).Max();
        else if (zone.IsInvalidTime(wallClock))
            // Gaps last at most a few hours and zones do not change twice in half a day.
            offset = zone.GetUtcOffset(wallClock.AddHours(-12));
        else
            offset = zone.GetUtcOffset(wallClock);
        return new DateTimeOffset(DateTime.SpecifyKind(wallClock - offset, DateTimeKind.Utc));
    }

    /// <summary>ISO-8601 UTC with second precision, the precision of <c>ts</c>.</summary>
    public static string ToIso(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
