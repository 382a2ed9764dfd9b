namespace CleverTapSegment.Segment;

/// <summary>A Segment workspace region; the write key must belong to a workspace of that region.
/// https://segment.com/docs/guides/regional-segment/</summary>
public enum SegmentRegion { US, EU }

/// <summary>Where a batch goes: a source's write key and its region. Never log the write key.</summary>
public sealed record SegmentDestination(string WriteKey, SegmentRegion Region)
{
    /// <summary>Keeps the write key out of logs and exception messages.</summary>
    public override string ToString() => $"Segment {Region} source (write key …{Last4(WriteKey)})";

    private static string Last4(string value) => value.Length <= 4 ? "" : value[^4..];
}
