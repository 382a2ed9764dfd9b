// CONTRACT FILE (skeleton): what the ingest endpoint and uploader code against. The mapping work implements
// SegmentEventMapper.Map and may add members, but keeps these names.
using System.Text.Json;
using CleverTapSegment.CleverTap;

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
    /// <summary>Maps one Segment spec event (any key order, tolerant parsing) to CleverTap upload records.</summary>
    public static MappedEvent Map(JsonElement segmentEvent, MappingSettings settings) => throw new NotImplementedException();
}
