using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CleverTapSegment.Forwarding.Mapping;

/// <summary>Small pure rules for CleverTap values: one place per rule.</summary>
public static class ValueRules
{
    /// <summary>
    /// Profile property keys are limited to 120 bytes (https://developer.clevertap.com/docs/upload-user-profiles-api),
    /// event property keys to 120 characters (https://developer.clevertap.com/docs/upload-events-api). One limit in
    /// UTF-8 bytes satisfies both: 120 bytes are never more than 120 characters.
    /// </summary>
    public const int MaxKeyBytes = 120;

    /// <summary>Property values are limited to 512 bytes. https://developer.clevertap.com/docs/upload-events-api</summary>
    public const int MaxValueBytes = 512;

    /// <summary>Events carry 100 properties by default (configurable per account; older pages said 256).
    /// https://developer.clevertap.com/docs/upload-events-api</summary>
    public const int MaxEventProperties = 100;

    /// <summary>Multi-value profile properties hold at most 100 strings. https://docs.clevertap.com/docs/platform-considerations</summary>
    public const int MaxMultiValueItems = 100;

    /// <summary>
    /// A custom CleverTap ID: 1–64 characters of <c>A-Z a-z 0-9 ( ) ! : @ $ _ -</c>.
    /// https://developer.clevertap.com/docs/set-clevertap-id
    /// </summary>
    public static bool IsValidCleverTapId(string? id)
    {
        if (id is null || id.Length is 0 or > 64)
            return false;
        foreach (var c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('(' or ')' or '!' or ':' or '@' or '$' or '_' or '-'))
                return false;
        }
        return true;
    }

    /// <summary>
    /// CleverTap's <c>Phone</c> must be E.164 with a leading <c>+</c> (else error 516); common formatting
    /// characters are removed first. https://developer.clevertap.com/docs/upload-user-profiles-api
    /// </summary>
    public static bool TryNormalizePhone(string? phone, out string e164)
    {
        e164 = "";
        if (string.IsNullOrWhiteSpace(phone))
            return false;
        Span<char> digits = stackalloc char[16];
        var count = 0;
        var sawPlus = false;
        foreach (var c in phone.AsSpan().Trim())
        {
            if (c == '+' && !sawPlus && count == 0)
                sawPlus = true;
            else if (char.IsAsciiDigit(c))
            {
                if (count == digits.Length)
                    return false;
                digits[count++] = c;
            }
            else if (c is not (' ' or '-' or '.' or '(' or ')'))
                return false;
        }
        // E.164: a country code that does not start with 0, at most 15 digits in all.
        if (!sawPlus || count is < 7 or > 15 || digits[0] == '0')
            return false;
        e164 = string.Concat("+", digits[..count]);
        return true;
    }

    /// <summary>CleverTap's <c>Gender</c> is <c>M</c> or <c>F</c> (else error 514). https://developer.clevertap.com/docs/api-errors</summary>
    public static string? NormalizeGender(string? gender) => gender?.Trim().ToUpperInvariant() switch
    {
        "M" or "MALE" or "MAN" => "M",
        "F" or "FEMALE" or "WOMAN" => "F",
        _ => null,
    };

    /// <summary>Dates are sent as <c>"$D_&lt;epoch seconds&gt;"</c>. https://developer.clevertap.com/docs/api-faqs</summary>
    public static bool TryFormatCleverTapDate(JsonElement value, out string cleverTapDate)
    {
        cleverTapDate = "";
        if (value.ValueKind == JsonValueKind.String && value.GetString() is var text && IsCleverTapDate(text))
        {
            cleverTapDate = text!;
            return true;
        }
        if (!TryParseDate(value, out var date))
            return false;
        cleverTapDate = "$D_" + date.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return true;
    }

    /// <summary>
    /// A Segment date: strict ISO 8601 first (no allocation), then a lenient parse for the non-padded dates Segment's
    /// own examples use (<c>2015-2-02T00:30:08.276Z</c>); no zone means UTC.
    /// https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/
    /// </summary>
    public static bool TryParseDate(JsonElement value, out DateTimeOffset date)
    {
        date = default;
        if (value.ValueKind != JsonValueKind.String)
            return false;
        // System.Text.Json reads a value without an offset ("1990-05-01") as local time: Segment dates are UTC, and
        // the result must not depend on the server's time zone.
        if (value.TryGetDateTime(out var dateTime))
        {
            switch (dateTime.Kind)
            {
                case DateTimeKind.Unspecified:
                    date = new DateTimeOffset(DateTime.SpecifyKind(dateTime, DateTimeKind.Utc));
                    return true;
                case DateTimeKind.Utc:
                    date = new DateTimeOffset(dateTime);
                    return true;
                default:
                    // An explicit offset: read it as written, not through the local zone.
                    return value.TryGetDateTimeOffset(out date);
            }
        }
        var text = value.GetString();
        return text is not null && StartsWithIsoDate(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out date);
    }

    /// <summary><c>yyyy-M-d</c> at the start: the lenient parse never guesses day/month order (<c>03/04/2020</c>).</summary>
    private static bool StartsWithIsoDate(string text)
    {
        var i = 0;
        while (i < text.Length && i < 4 && char.IsAsciiDigit(text[i]))
            i++;
        if (i != 4)
            return false;
        for (var part = 0; part < 2; part++)
        {
            if (i >= text.Length || text[i] != '-')
                return false;
            var digits = 0;
            for (i++; i < text.Length && char.IsAsciiDigit(text[i]); i++)
                digits++;
            if (digits is < 1 or > 2)
                return false;
        }
        return true;
    }

    /// <summary>A value that is already a CleverTap date (<c>$D_&lt;epoch seconds&gt;</c>) passes through.</summary>
    public static bool IsCleverTapDate(string? text) =>
        text is { Length: > 3 } && text.StartsWith("$D_", StringComparison.Ordinal)
        && long.TryParse(text.AsSpan(3), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);

    /// <summary>
    /// CleverTap wants <c>ts</c> in epoch seconds (else error 525). https://developer.clevertap.com/docs/upload-events-api
    /// An epoch number is accepted too: values above 10^11 are taken as milliseconds. A number past the last date
    /// (<c>1e309</c> reads as infinity) is not a date.
    /// </summary>
    public static bool TryEpochSeconds(JsonElement value, out long epochSeconds)
    {
        epochSeconds = 0;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && number > 0)
        {
            var seconds = Math.Floor(number > 1e11 ? number / 1000 : number);
            if (seconds > MaxEpochSeconds)
                return false;
            epochSeconds = (long)seconds;
            return true;
        }
        if (!TryParseDate(value, out var date))
            return false;
        epochSeconds = date.ToUnixTimeSeconds();
        return true;
    }

    private static readonly double MaxEpochSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    /// <summary>Cuts a key to at most <see cref="MaxKeyBytes"/> UTF-8 bytes on a character boundary.</summary>
    public static bool TryCutKey(string key, out string cut) => TryCutUtf8(key, MaxKeyBytes, out cut);

    /// <summary>Cuts a string to at most <see cref="MaxValueBytes"/> UTF-8 bytes on a character boundary.</summary>
    public static bool TryCutValue(string value, out string cut) => TryCutUtf8(value, MaxValueBytes, out cut);

    /// <summary>
    /// Keeps the longest prefix of whole characters that fits in <paramref name="maxBytes"/> UTF-8 bytes: a cut inside
    /// a surrogate pair or a multi-byte sequence would leave an invalid character at the end.
    /// </summary>
    private static bool TryCutUtf8(string value, int maxBytes, out string cut)
    {
        cut = value;
        // Every UTF-16 char is at most 3 UTF-8 bytes: the common short string needs no byte count.
        if (value.Length * 3 <= maxBytes || Encoding.UTF8.GetByteCount(value) <= maxBytes)
            return false;
        var bytes = 0;
        var end = 0;
        while (end < value.Length)
        {
            var width = char.IsHighSurrogate(value[end]) && end + 1 < value.Length ? 2 : 1;
            var size = Encoding.UTF8.GetByteCount(value.AsSpan(end, width));
            if (bytes + size > maxBytes)
                break;
            bytes += size;
            end += width;
        }
        cut = value[..end];
        return true;
    }
}
