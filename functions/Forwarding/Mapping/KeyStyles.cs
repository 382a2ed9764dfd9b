using System.Collections.Concurrent;
using System.Text;

namespace CleverTapSegment.Forwarding.Mapping;

/// <summary>How custom keys are written. Standard CleverTap keys never pass through here.</summary>
public static class KeyStyles
{
    // Keys repeat across events (a few hundred distinct names per source), so conversions are cached; the cap
    // keeps a source that sends unbounded key names (ids as keys) from growing memory without limit.
    private const int CacheCapacity = 20_000;
    // Longer keys are over CleverTap's 120 bytes and cut anyway; not caching them bounds the cache's size too.
    private const int MaxCachedKeyLength = 128;
    private static readonly ConcurrentDictionary<string, string> s_snakeCache = new(StringComparer.Ordinal);
    // ConcurrentDictionary.Count takes every lock: count additions ourselves.
    private static int s_snakeCacheCount;

    public static string Apply(KeyStyle style, string key) =>
        style == KeyStyle.Preserve ? key : ToSnakeCase(key);

    /// <summary>Reads the <c>Ingest__KeyStyle</c> setting: <c>snake_case</c> (also <c>snakecase</c>, <c>snake</c>) or
    /// <c>preserve</c>, any case.</summary>
    public static bool TryParse(string? setting, out KeyStyle style)
    {
        style = KeyStyle.SnakeCase;
        switch (setting?.Trim().ToLowerInvariant())
        {
            case "snake_case" or "snakecase" or "snake":
                return true;
            case "preserve":
                style = KeyStyle.Preserve;
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Segment's classic CleverTap destination "will lower case and snake_case" keys; its code is not public, so this
    /// reproduces <c>to-snake-case@1.0.0</c> (ianstormtaylor), the library of Segment's own analytics.js bundle and
    /// the likeliest match for keys a customer already has in CleverTap. Its quirks are kept on purpose: a key with
    /// a space or a separator is not split on case, each capital of a run is its own word, non-ASCII letters are
    /// separators, and snake_case keys (Engage's <c>order_completed_last_30days</c>) stay as they are.
    /// https://segment.com/docs/connections/destinations/catalog/clevertap/ ,
    /// https://docs.clevertap.com/docs/segmentcom ("Industry Of Traits" → "industry_of_traits").
    /// </summary>
    public static string ToSnakeCase(string key)
    {
        if (s_snakeCache.TryGetValue(key, out var cached))
            return cached;
        var converted = ConvertToSnakeCase(key);
        if (key.Length <= MaxCachedKeyLength && Volatile.Read(ref s_snakeCacheCount) < CacheCapacity
            && s_snakeCache.TryAdd(key, converted))
            Interlocked.Increment(ref s_snakeCacheCount);
        return converted;
    }

    private static string ConvertToSnakeCase(string key)
    {
        // to-no-case: a key with whitespace or a separator is only lower-cased; otherwise camel case is split.
        var words = HasWhitespace(key) || HasSeparator(key) || !HasCamelCase(key) ? key : Uncamelize(key);
        var lower = words.ToLowerInvariant();
        if (IsAlreadySnakeCase(lower))
            return lower;
        // to-space-case + to-snake-case: every run of characters other than ASCII letters and digits becomes one
        // '_' between words and disappears at either end.
        var builder = new StringBuilder(lower.Length);
        var pendingSeparator = false;
        foreach (var c in lower)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                if (pendingSeparator && builder.Length > 0)
                    builder.Append('_');
                pendingSeparator = false;
                builder.Append(c);
            }
            else
            {
                pendingSeparator = true;
            }
        }
        return builder.ToString();
    }

    private static bool IsAlreadySnakeCase(string lower)
    {
        if (lower.Length == 0 || lower[0] == '_' || lower[^1] == '_')
            return false;
        for (var i = 0; i < lower.Length; i++)
        {
            var c = lower[i];
            if (c == '_' ? lower[i - 1] == '_' : !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)))
                return false;
        }
        return true;
    }

    // JavaScript's /\s/.
    private static bool HasWhitespace(string key)
    {
        foreach (var c in key)
        {
            if (char.IsWhiteSpace(c) || c == '\uFEFF')
                return true;
        }
        return false;
    }

    // to-no-case's /(_|-|\.|:)/.
    private static bool HasSeparator(string key) => key.AsSpan().IndexOfAny("_-.:") >= 0;

    // to-no-case's /([a-z][A-Z]|[A-Z][a-z])/.
    private static bool HasCamelCase(string key)
    {
        for (var i = 1; i < key.Length; i++)
        {
            var (previous, current) = (key[i - 1], key[i]);
            if ((char.IsAsciiLetterLower(previous) && char.IsAsciiLetterUpper(current))
                || (char.IsAsciiLetterUpper(previous) && char.IsAsciiLetterLower(current)))
                return true;
        }
        return false;
    }

    // to-no-case's key.replace(/(.)([A-Z]+)/g, (_, previous, uppers) => previous + ' ' + uppers.toLowerCase().split('').join(' ')).
    private static string Uncamelize(string key)
    {
        var builder = new StringBuilder(key.Length + 8);
        var i = 0;
        while (i < key.Length)
        {
            var c = key[i];
            builder.Append(c);
            if (!IsLineTerminator(c) && i + 1 < key.Length && char.IsAsciiLetterUpper(key[i + 1]))
            {
                var j = i + 1;
                while (j < key.Length && char.IsAsciiLetterUpper(key[j]))
                {
                    builder.Append(' ').Append(char.ToLowerInvariant(key[j]));
                    j++;
                }
                i = j;
            }
            else
            {
                i++;
            }
        }
        return builder.ToString();
    }

    private static bool IsLineTerminator(char c) => c is '\n' or '\r' or '\u2028' or '\u2029';
}
