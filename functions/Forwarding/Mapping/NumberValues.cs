using System.Globalization;
using System.Text.Json;
using CleverTapSegment.CleverTap;

namespace CleverTapSegment.Forwarding.Mapping;

/// <summary>
/// JSON numbers as CleverTap values. JSON puts no limit on a number (https://www.rfc-editor.org/rfc/rfc8259#section-6),
/// CleverTap's properties hold a 64-bit integer or a double ("Number",
/// https://developer.clevertap.com/docs/upload-events-api), so every literal that does not fit is decided here, once,
/// and reported in the event's warnings like the other value rules:
/// <list type="bullet">
/// <item>an integer within 64 bits goes as it is (<c>-0</c> is just 0);</item>
/// <item>beyond the range of a double (<c>1e309</c>) the property is <b>dropped</b>. The sender almost certainly has a
/// bug, CleverTap cannot store it (its parser reads infinity or refuses the whole upload), and a string "1e309" would
/// give a numeric property a second type in CleverTap, spoiling its segments and reports for every later event. The
/// warning keeps it visible in Segment's event delivery view, where the sender looks;</item>
/// <item>an integer of more than 64 bits (a 30-digit reference) becomes a <b>string</b>: such values are identifiers, not
/// quantities, and as a double CleverTap would keep only its first 17 digits, a different identifier;</item>
/// <item>more digits than a double keeps (<c>3.14159265358979323846</c>), or too small for one (<c>1e-400</c>): sent as the
/// double CleverTap would store anyway, so what the warning names is what CleverTap holds;</item>
/// <item>negative zero (<c>-0.0</c>) is sent as 0: the sign of zero means nothing for a property.</item>
/// </list>
/// </summary>
internal static class NumberValues
{
    /// <summary>
    /// A decimal of at most 15 significant digits survives a double exactly; 16 characters without an exponent hold at
    /// most that many (an integer of 16 digits is a 64-bit integer, taken earlier), and nothing smaller than 1e-15.
    /// </summary>
    private const int MaxExactLiteralLength = 16;

    /// <summary>A custom property's number, or null (with a warning) when it is dropped.</summary>
    public static UploadValue? Property(string key, JsonElement number, MappingContext context) =>
        Convert(key, number, context, integersBeyond64BitsAsText: true);

    /// <summary>A value that must stay a number (the Charged <c>Amount</c>), or null (with a warning) when it cannot be one.</summary>
    public static UploadValue? Numeric(string key, JsonElement number, MappingContext context) =>
        Convert(key, number, context, integersBeyond64BitsAsText: false);

    private static UploadValue? Convert(string key, JsonElement number, MappingContext context, bool integersBeyond64BitsAsText)
    {
        if (number.TryGetInt64(out var integer))
            return UploadValue.FromInteger(integer);
        var literal = number.GetRawText();
        if (!number.TryGetDouble(out var value) || !double.IsFinite(value))
        {
            context.Warn($"value of '{key}' ({Shorten(literal)}) is beyond the range of a number: dropped");
            return null;
        }
        if (value == 0 && literal.StartsWith('-') && !HasNonZeroDigit(literal))
            return UploadValue.FromInteger(0);
        // The common decimal ("19.99"): at most 15 digits and no exponent always reads back as written.
        if (literal.Length <= MaxExactLiteralLength && literal.AsSpan().IndexOfAny('e', 'E') < 0)
            return UploadValue.FromNumberLiteral(literal);
        if (integersBeyond64BitsAsText && IsPlainInteger(literal))
        {
            context.Warn($"value of '{key}' is an integer of more than 64 bits: sent as a string");
            return UploadValue.FromString(literal);
        }
        var asDouble = value == 0 ? "0" : value.ToString("R", CultureInfo.InvariantCulture);
        if (SignificantDigits(literal) is { } digits && digits == SignificantDigits(asDouble))
            return UploadValue.FromNumberLiteral(literal);
        context.Warn($"value of '{key}' has more precision than a number keeps: sent as {asDouble}");
        return UploadValue.FromNumberLiteral(asDouble);
    }

    /// <summary>Digits only, with an optional sign: no fraction, no exponent.</summary>
    private static bool IsPlainInteger(string literal) =>
        literal.AsSpan(literal.StartsWith('-') ? 1 : 0).IndexOfAnyExceptInRange('0', '9') < 0;

    private static bool HasNonZeroDigit(string literal)
    {
        foreach (var c in Mantissa(literal))
        {
            if (c is >= '1' and <= '9')
                return true;
        }
        return false;
    }

    /// <summary>
    /// The value's digits and decimal exponent in one canonical text (<c>"314e-2"</c> for 3.14, 3.140 and 314e-2), so a
    /// literal and the double it reads as compare equal exactly when the double kept every digit. Null for an exponent
    /// too long to read, which no double keeps either.
    /// </summary>
    private static string? SignificantDigits(string literal)
    {
        var mantissa = Mantissa(literal);
        var point = mantissa.IndexOf('.');
        var digits = point < 0 ? mantissa.ToString() : string.Concat(mantissa[..point], mantissa[(point + 1)..]);
        var trimmed = digits.TrimStart('0');
        if (trimmed.Length == 0)
            return "0";
        var exponentStart = literal.AsSpan().IndexOfAny('e', 'E');
        long exponent = 0;
        if (exponentStart >= 0 && !long.TryParse(literal.AsSpan(exponentStart + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent))
            return null;
        if (point >= 0)
            exponent -= mantissa.Length - point - 1;
        var withoutTrailingZeros = trimmed.TrimEnd('0');
        exponent += trimmed.Length - withoutTrailingZeros.Length;
        return string.Create(CultureInfo.InvariantCulture, $"{withoutTrailingZeros}e{exponent}");
    }

    /// <summary>The literal without its sign and exponent.</summary>
    private static ReadOnlySpan<char> Mantissa(string literal)
    {
        var span = literal.AsSpan();
        if (span.StartsWith('-'))
            span = span[1..];
        var exponentStart = span.IndexOfAny('e', 'E');
        return exponentStart < 0 ? span : span[..exponentStart];
    }

    private static string Shorten(string literal) => literal.Length <= 40 ? literal : string.Concat(literal.AsSpan(0, 40), "…");
}
