using System.Text.Json;
using CleverTapSegment.Segment;

namespace CleverTapSegment.Forwarding.Mapping;

/// <summary>
/// The Segment <c>integrations</c> object: <c>"CleverTap": false</c>, or <c>"All": false</c> without CleverTap turned
/// back on, means the event is not for us. Names are case-sensitive; an options object counts as "on".
/// https://segment.com/docs/guides/filtering-data/
/// </summary>
internal static class IntegrationsOptOut
{
    public static bool TurnsCleverTapOff(SpecEvent segmentEvent)
    {
        var integrations = segmentEvent.Integrations;
        if (integrations.ValueKind != JsonValueKind.Object)
            return false;
        if (integrations.TryGetProperty("CleverTap"u8, out var cleverTap))
            return cleverTap.ValueKind == JsonValueKind.False;
        return integrations.TryGetProperty("All"u8, out var all) && all.ValueKind == JsonValueKind.False;
    }

    /// <summary>The destination's options object, when the integrations entry is one.</summary>
    public static JsonElement CleverTapOptions(SpecEvent segmentEvent) =>
        SpecEvent.Object(segmentEvent.Integrations, "CleverTap"u8);
}
