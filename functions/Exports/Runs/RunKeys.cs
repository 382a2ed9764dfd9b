using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CleverTapSegment.Exports.Mapping;

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
    /// The event name under the export special-character rule for generated names (<see cref="ExportRecordMapper.SafeName"/>),
    /// cut to a length that keeps keys short (the hash keeps them unique), never inside a surrogate pair.
    /// </summary>
    internal static string ReadableKeyPart(string eventName)
    {
        const int maxLength = 64;
        var safe = ExportRecordMapper.SafeName(eventName);
        if (safe.Length <= maxLength)
            return safe;
        var cut = char.IsHighSurrogate(safe[maxLength - 1]) ? maxLength - 1 : maxLength;
        return safe[..cut];
    }
}
