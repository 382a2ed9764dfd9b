using System.Text.Json;
using CleverTapSegment.Segment;

namespace CleverTapSegment.Forwarding.Mapping;

/// <summary><c>ts</c>: when the event happened, in epoch seconds (https://developer.clevertap.com/docs/upload-events-api).</summary>
internal static class Timestamps
{
    /// <summary><c>timestamp</c> is Segment's skew-corrected event time; the others are fallbacks in order of
    /// closeness to it. https://segment.com/docs/connections/spec/common/#timestamps</summary>
    private static readonly string[] s_eventTimeFields = ["timestamp", "originalTimestamp", "receivedAt", "sentAt"];
    private static readonly byte[][] s_eventTimeFieldsUtf8 = [.. s_eventTimeFields.Select(System.Text.Encoding.UTF8.GetBytes)];

    /// <summary>Null when no field holds a date: CleverTap then stamps the upload time.</summary>
    public static long? EventTime(SpecEvent segmentEvent, MappingContext context)
    {
        for (var i = 0; i < s_eventTimeFields.Length; i++)
        {
            var (field, value) = (s_eventTimeFields[i], segmentEvent.Field(s_eventTimeFieldsUtf8[i]));
            if (value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
                continue;
            if (ValueRules.TryEpochSeconds(value, out var seconds))
                return seconds;
            context.Warn($"{field} '{(value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText())}' is not a date: ignored");
        }
        return null;
    }
}
