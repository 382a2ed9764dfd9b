namespace CleverTapSegment.Exports.Mapping;

/// <summary>Where a partner's Segment <c>userId</c> comes from in a CleverTap record.</summary>
public enum UserIdSource { Identity, Email, None }

/// <summary>Where a partner's Segment <c>anonymousId</c> comes from in a CleverTap record.</summary>
public enum AnonymousIdSource { ObjectId, None }

/// <summary>A partner's identity choices: which CleverTap field becomes Segment's userId and anonymousId
/// (https://docs.clevertap.com/docs/segmentcom, "User ID" and "Anonymous ID").</summary>
public sealed record ExportIdentitySources(UserIdSource UserId, AnonymousIdSource AnonymousId)
{
    public static ExportIdentitySources Default { get; } = new(UserIdSource.Identity, AnonymousIdSource.ObjectId);
}

/// <summary>One mapped record: a Segment message, or the reason it was skipped.</summary>
public sealed class ExportMapResult
{
    private ExportMapResult(byte[]? message, DateTimeOffset? timestamp, string? skipReason)
    {
        Message = message;
        Timestamp = timestamp;
        SkipReason = skipReason;
    }

    /// <summary>UTF-8 JSON of one Segment call (with <c>type</c>), ready for <c>/v1/batch</c>; null when skipped.</summary>
    public byte[]? Message { get; }

    /// <summary>When the record happened (UTC); the worker keeps only records inside the run window.</summary>
    public DateTimeOffset? Timestamp { get; }

    /// <summary>Why the record is not sent (counted as skipped); null when mapped.</summary>
    public string? SkipReason { get; }

    public static ExportMapResult Mapped(byte[] message, DateTimeOffset timestamp) => new(message, timestamp, null);

    public static ExportMapResult Skipped(string reason, DateTimeOffset? timestamp = null) => new(null, timestamp, reason);
}
