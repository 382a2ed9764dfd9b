namespace CleverTapSegment.Exports.Mapping;

/// <summary>
/// CleverTap's export rule for special characters: values stay full UTF-8 (emoji included), control characters
/// become <c>?</c>; whitespace, tab, slash and NUL become <c>-</c> in generated names.
/// https://docs.clevertap.com/docs/segmentcom (FAQ)
/// </summary>
internal static class ExportSpecialCharacters
{
    /// <summary>Control characters (C0, DEL, C1) → <c>?</c>; everything else, emoji included, unchanged.</summary>
    public static string CleanValue(string value)
    {
        var index = value.AsSpan().IndexOfAnyInRange('\u0000', '\u001F');
        if (index < 0)
            index = value.AsSpan().IndexOfAnyInRange('\u007F', '\u009F');
        if (index < 0)
            return value;
        return string.Create(value.Length, value, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
        });
    }

    /// <summary>
    /// Whitespace, tab, slash and NUL → <c>-</c> (the FAQ rule), and so are the other characters Table Storage refuses
    /// in keys (<c>\ # ?</c> and control characters), since generated names become storage keys.
    /// https://learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model#characters-disallowed-in-key-fields
    /// </summary>
    public static string SafeName(string value) => string.Create(value.Length, value, static (span, source) =>
    {
        for (var i = 0; i < source.Length; i++)
        {
            var c = source[i];
            span[i] = char.IsWhiteSpace(c) || char.IsControl(c) || c is '/' or '\\' or '#' or '?' ? '-' : c;
        }
    });
}
