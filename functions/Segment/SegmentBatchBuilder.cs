namespace CleverTapSegment.Segment;

/// <summary>What <see cref="SegmentBatchBuilder.TryAdd"/> did with a message.</summary>
public enum SegmentBatchAddResult
{
    Added,
    /// <summary>Not added: the batch would pass 480 KB or 2500 events. Send <see cref="SegmentBatchBuilder.Build"/>, <see cref="SegmentBatchBuilder.Reset"/>, add again.</summary>
    Full,
    /// <summary>Never sendable: the message alone is over Segment's 32 KB per event.</summary>
    TooLarge,
}

/// <summary>
/// Accumulates serialized Segment messages (UTF-8 JSON) into <c>/v1/batch</c> bodies <c>{"batch":[…],"sentAt":…}</c>
/// within Segment's limits, copying the bytes as they are (no re-serialization).
/// https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/#max-request-size
/// </summary>
public sealed class SegmentBatchBuilder
{
    public const int MaxEventBytes = 32 * 1024;
    /// <summary>Under Segment's 500 KB per request, with the margin analytics-node keeps.</summary>
    public const int MaxBatchBytes = 480 * 1024;
    public const int MaxEvents = 2500;

    private readonly TimeProvider _timeProvider;

    public SegmentBatchBuilder(TimeProvider timeProvider) => _timeProvider = timeProvider;

    public int Count { get; private set; }

    public SegmentBatchAddResult TryAdd(ReadOnlySpan<byte> message) => throw new NotImplementedException("exp-clients: body lands next.");

    /// <summary>The batch body, valid until the next <see cref="TryAdd"/> or <see cref="Reset"/>.</summary>
    public ReadOnlyMemory<byte> Build() => throw new NotImplementedException("exp-clients: body lands next.");

    public void Reset() => Count = 0;
}
