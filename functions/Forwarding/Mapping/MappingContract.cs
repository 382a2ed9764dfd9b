// What the ingest endpoint and uploader code against: SegmentEventMapper.Map and its result types.
using System.Collections.Frozen;
using System.Text.Json;
using CleverTapSegment.CleverTap;
using CleverTapSegment.Segment;

namespace CleverTapSegment.Forwarding.Mapping;

/// <summary>How custom trait/property keys are written (<c>Ingest__KeyStyle</c>).</summary>
public enum KeyStyle { SnakeCase, Preserve }

public sealed record MappingSettings(KeyStyle KeyStyle = KeyStyle.SnakeCase, bool RefuseAnonymous = false);

/// <summary>What should happen to one Segment event.</summary>
public enum MappingDisposition
{
    /// <summary>Upload <see cref="MappedEvent.Records"/>.</summary>
    Deliver,
    /// <summary>Delete the CleverTap profile <see cref="MappedEvent.DeleteIdentity"/> (Segment <c>delete</c>).</summary>
    Delete,
    /// <summary>Not sent on purpose (the <c>integrations</c> opt-out): reported, answered 200.</summary>
    Skipped,
    /// <summary>Permanently unmappable (no identifier, invalid event): reported, answered 200 in a batch, 400 alone.</summary>
    Rejected,
    /// <summary>An event type we do not handle: 501 when alone.</summary>
    Unsupported,
}

/// <summary>The outcome of mapping one event.</summary>
public sealed record MappedEvent(
    string? MessageId,
    string? EventType,
    MappingDisposition Disposition,
    IReadOnlyList<UploadRecord> Records,
    IReadOnlyList<string> Warnings,
    string? Reason = null,
    string? DeleteIdentity = null);

public static partial class SegmentEventMapper
{
    /// <summary>The mapping of each spec call (DESIGN §5), by lower-case type. Segment's types:
    /// https://segment.com/docs/connections/spec/ ; <c>delete</c> arrives through webhooks.</summary>
    private static readonly FrozenDictionary<string, Action<SpecEvent, MappingContext>> s_mappers =
        new Dictionary<string, Action<SpecEvent, MappingContext>>
        {
            ["identify"] = ProfileFields.MapIdentify,
            ["track"] = EventMappings.MapTrack,
            ["page"] = EventMappings.MapPage,
            ["screen"] = EventMappings.MapScreen,
            ["alias"] = EventMappings.MapAlias,
            ["group"] = EventMappings.MapGroup,
            ["delete"] = EventMappings.MapDelete,
        }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>Maps one Segment spec event (any key order, tolerant parsing) to CleverTap upload records.
    /// Pure: the result does not reference <paramref name="segmentEvent"/>, so its document may be disposed.</summary>
    public static MappedEvent Map(JsonElement segmentEvent, MappingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var spec = new SpecEvent(segmentEvent);
        var context = new MappingContext(settings);
        if (!spec.IsObject)
        {
            context.Reject("an event must be a JSON object");
            return Result(null, null, context);
        }
        var type = spec.Type?.Trim();
        var mapper = type is null ? null : s_mappers.GetValueOrDefault(type);
        if (type is null)
            context.Reject("the event has no type");
        else if (IntegrationsOptOut.TurnsCleverTapOff(spec))
            context.Finish(MappingDisposition.Skipped, "integrations turns CleverTap off");
        else if (mapper is null)
            context.Finish(MappingDisposition.Unsupported, $"event type '{type}' is not supported");
        else
        {
            mapper(spec, context);
            if (context.Disposition == MappingDisposition.Deliver)
                DeviceTokens.AddTokenRecord(spec, context);
        }
        return Result(spec.MessageId, type?.ToLowerInvariant(), context);
    }

    private static MappedEvent Result(string? messageId, string? type, MappingContext context) =>
        new(messageId, type, context.Disposition, context.Records, context.Warnings, context.Reason, context.DeleteIdentity);
}
