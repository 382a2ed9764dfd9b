using System.Globalization;

namespace CleverTapSegment.Storage;

/// <summary>Builds OData <c>$filter</c> text; interpolated values become escaped literals (strings quoted with '' doubling, Int64 as nL, datetime'…', guid'…', booleans).</summary>
/// <remarks>https://learn.microsoft.com/rest/api/storageservices/querying-tables-and-entities#constructing-filter-strings</remarks>
public static class TableFilter
{
    public static string Create(FormattableString filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var literals = filter.GetArguments().Select(Literal).ToArray<object?>();
        return string.Format(CultureInfo.InvariantCulture, filter.Format, literals);
    }

    /// <summary>One value as an OData literal.</summary>
    public static string Literal(object? value) => value switch
    {
        null => throw new ArgumentException("A filter value cannot be null: the Table service has no null literal.", nameof(value)),
        string text => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'",
        bool flag => flag ? "true" : "false",
        int number => number.ToString(CultureInfo.InvariantCulture),
        long number => number.ToString(CultureInfo.InvariantCulture) + "L",
        double number => number.ToString("R", CultureInfo.InvariantCulture),
        DateTimeOffset time => "datetime'" + TableEntityJson.FormatDateTime(time) + "'",
        DateTime time => "datetime'" + TableEntityJson.FormatDateTime(new DateTimeOffset(time.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(time, DateTimeKind.Utc) : time.ToUniversalTime())) + "'",
        Guid guid => "guid'" + guid.ToString("D") + "'",
        byte[] bytes => "X'" + Convert.ToHexStringLower(bytes) + "'",
        _ => throw new ArgumentException($"{value.GetType().Name} has no OData literal form.", nameof(value)),
    };
}
