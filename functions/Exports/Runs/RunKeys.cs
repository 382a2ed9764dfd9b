using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace CleverTapSegment.Exports.Runs;

/// <summary>
/// The storage keys of runs and work items, derived only from what identifies them, so a second scheduler tick
/// (or the API starting an export while the timer fires) finds the same run instead of making another.
/// </summary>
public static class RunKeys
{
    /// <summary>Row key of a run in its export's partition: the window start in UTC, which sorts runs by time.</summary>
    public static string RunRowKey(DateTimeOffset windowStart) =>
        windowStart.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The run id shown by the API and used as the partition of its work items.</summary>
    public static string RunId(string exportId, DateTimeOffset windowStart) => RunId(exportId, RunRowKey(windowStart));

    public static string RunId(string exportId, string runRowKey) => $"{exportId}-{runRowKey}";

    /// <summary>
    /// Row key of a work item: day, a readable form of the event name, and a short hash of the exact name so two
    /// names that differ only in characters a key cannot hold never collide.
    /// </summary>
    public static string ItemKey(string eventName, DateOnly day)
    {
        var readable = ReadableKeyPart(eventName);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(eventName)).AsSpan(0, 4));
        return $"{day:yyyyMMdd}-{readable}-{hash}";
    }

    /// <summary>
    /// The export special-character rule (whitespace, tab, slash and NUL become <c>-</c>;
    /// https://docs.clevertap.com/docs/segment#faqs), with control characters and the other characters a Table
    /// Storage key forbids (<c># ? \</c>) also <c>-</c> because the rule's <c>?</c> is itself forbidden in keys
    /// (https://learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model).
    /// </summary>
    internal static string ReadableKeyPart(string eventName)
    {
        const int maxLength = 64;
        var builder = new StringBuilder(Math.Min(eventName.Length, maxLength));
        foreach (var c in eventName)
        {
            if (builder.Length == maxLength)
                break;
            builder.Append(c switch
            {
                _ when char.IsWhiteSpace(c) || c is '/' or '\\' or '\0' => '-',
                '#' or '?' => '-',
                _ when char.IsControl(c) => '-',
                _ => c,
            });
        }
        return builder.ToString();
    }
}
