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
    /// <summary>One spec call: its canonical (lower-case) type and its mapping.</summary>
    private sealed record SpecCall(string Type, Action<SpecEvent, MappingContext> Map);

    /// <summary>The mapping of each spec call, looked up case-insensitively. Segment's types:
    /// https://segment.com/docs/connections/spec/ ; <c>delete</c> arrives through webhooks.</summary>
    private static readonly FrozenDictionary<string, SpecCall> s_calls = new SpecCall[]
    {
        new("identify", ProfileFields.MapIdentify),
        new("track", EventMappings.MapTrack),
        new("page", EventMappings.MapPage),
        new("screen", EventMappings.MapScreen),
        new("alias", EventMappings.MapAlias),
        new("group", EventMappings.MapGroup),
        new("delete", EventMappings.MapDelete),
    }.ToFrozenDictionary(call => call.Type, StringComparer.OrdinalIgnoreCase);

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
        if (UnicodeText.FindInvalidText(segmentEvent) is { } invalidText)
        {
            context.Reject(invalidText);
            return Result(ReadableText(spec, static e => e.MessageId), ReadableText(spec, static e => e.Type?.Trim().ToLowerInvariant()), context);
        }
        var type = spec.Type?.Trim();
        var call = type is null ? null : s_calls.GetValueOrDefault(type);
        if (type is null)
            context.Reject("the event has no type");
        else if (IntegrationsOptOut.TurnsCleverTapOff(spec))
            context.Finish(MappingDisposition.Skipped, "integrations turns CleverTap off");
        else if (call is null)
            context.Finish(MappingDisposition.Unsupported, $"event type '{type}' is not supported");
        else
        {
            call.Map(spec, context);
            if (context.Disposition == MappingDisposition.Deliver)
                DeviceTokens.AddTokenRecord(spec, context);
        }
        return Result(spec.MessageId, call?.Type ?? type?.ToLowerInvariant(), context);
    }

    /// <summary>
    /// A field of an event with invalid text, when that field can be read: the sender then still sees which event was
    /// rejected. Any look-up in an object with an invalid key may throw, hence the catch (only on this rare path).
    /// </summary>
    private static string? ReadableText(SpecEvent segmentEvent, Func<SpecEvent, string?> read)
    {
        try
        {
            return read(segmentEvent);
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static MappedEvent Result(string? messageId, string? type, MappingContext context) =>
        new(messageId, type, context.Disposition, context.Records, context.Warnings, context.Reason, context.DeleteIdentity);
}
