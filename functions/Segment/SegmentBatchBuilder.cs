using System.Globalization;
using System.Text;

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
/// within Segment's limits, copying the bytes as they are (no re-serialization). Sizes are UTF-8 bytes of the whole body.
/// https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/#max-request-size
/// </summary>
public sealed class SegmentBatchBuilder
{
    /// <summary>Segment's limit per event inside a batch (32 KB).</summary>
    public const int MaxEventBytes = 32 * 1024;
    /// <summary>Under Segment's 500 KB per request, with the margin analytics-node keeps (480 KB).</summary>
    public const int MaxBatchBytes = 480 * 1024;
    /// <summary>Above 2500 events Segment answers 200 and drops the batch's events.</summary>
    public const int MaxEvents = 2500;

    private static readonly byte[] Prefix = "{\"batch\":["u8.ToArray();
    private static readonly byte[] SuffixStart = "],\"sentAt\":\""u8.ToArray();
    private static readonly byte[] SuffixEnd = "\"}"u8.ToArray();
    private const string SentAtFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
    /// <summary>The suffix has a fixed length because <see cref="SentAtFormat"/> does, so the size check is exact.</summary>
    private static readonly int SuffixLength = SuffixStart.Length + SentAtFormat.Replace("'", "", StringComparison.Ordinal).Length + SuffixEnd.Length;

    private readonly TimeProvider _timeProvider;
    private byte[] _buffer = new byte[64 * 1024];
    private int _length;

    public SegmentBatchBuilder(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        Reset();
    }

    public int Count { get; private set; }

    /// <summary>The body's UTF-8 size if it were built now.</summary>
    public int Length => _length + SuffixLength;

    public SegmentBatchAddResult TryAdd(ReadOnlySpan<byte> message)
    {
        if (message.Length > MaxEventBytes)
            return SegmentBatchAddResult.TooLarge;
        var separator = Count == 0 ? 0 : 1;
        if (Count == MaxEvents || _length + separator + message.Length + SuffixLength > MaxBatchBytes)
            return SegmentBatchAddResult.Full;
        EnsureCapacity(_length + separator + message.Length + SuffixLength);
        if (separator == 1)
            _buffer[_length++] = (byte)',';
        message.CopyTo(_buffer.AsSpan(_length));
        _length += message.Length;
        Count++;
        return SegmentBatchAddResult.Added;
    }

    /// <summary>The batch body with <c>sentAt</c> = now, valid until the next <see cref="TryAdd"/> or <see cref="Reset"/>.</summary>
    public ReadOnlyMemory<byte> Build()
    {
        EnsureCapacity(_length + SuffixLength);
        var span = _buffer.AsSpan(_length);
        SuffixStart.CopyTo(span);
        var written = SuffixStart.Length;
        var sentAt = _timeProvider.GetUtcNow().UtcDateTime.ToString(SentAtFormat, CultureInfo.InvariantCulture);
        written += Encoding.UTF8.GetBytes(sentAt, span[written..]);
        SuffixEnd.CopyTo(span[written..]);
        written += SuffixEnd.Length;
        return _buffer.AsMemory(0, _length + written);
    }

    public void Reset()
    {
        Prefix.CopyTo(_buffer, 0);
        _length = Prefix.Length;
        Count = 0;
    }

    private void EnsureCapacity(int size)
    {
        if (size > _buffer.Length)
            Array.Resize(ref _buffer, Math.Max(size, Math.Min(_buffer.Length * 2, MaxBatchBytes)));
    }
}
