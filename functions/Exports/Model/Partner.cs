using Azure;
using CleverTapSegment.Exports.Mapping;
using CleverTapSegment.Segment;

namespace CleverTapSegment.Exports.Model;

/// <summary>
/// A connected Segment source (docs/exports-api.md). The write key is stored but never returned by the API, and
/// <see cref="ToString"/> leaves it out so it cannot reach a log by accident.
/// </summary>
public sealed class Partner
{
    /// <summary>Unique (case-insensitively) and used in URLs: letters, digits, <c>.</c>, <c>_</c>, <c>-</c>.</summary>
    public required string Nickname { get; init; }

    /// <summary>The Segment source's write key (Basic auth user name on the Tracking API). Secret.</summary>
    public required string WriteKey { get; init; }

    /// <summary>Segment region of the workspace; US is the documented default (https://docs.clevertap.com/docs/segmentcom, "Region").</summary>
    public SegmentRegion Region { get; init; } = SegmentRegion.US;

    public UserIdSource UserIdSource { get; init; } = UserIdSource.Identity;

    public AnonymousIdSource AnonymousIdSource { get; init; } = AnonymousIdSource.ObjectId;

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public ETag ETag { get; init; }

    /// <summary>What the API shows instead of the key: enough to tell two keys apart, useless to an attacker.</summary>
    public string WriteKeyLast4 => WriteKey.Length <= 4 ? new string('*', WriteKey.Length) : WriteKey[^4..];

    public ExportIdentitySources IdentitySources => new(UserIdSource, AnonymousIdSource);

    public Partner With(string? writeKey = null, SegmentRegion? region = null, UserIdSource? userIdSource = null,
        AnonymousIdSource? anonymousIdSource = null, DateTimeOffset? updatedAt = null) => new()
    {
        Nickname = Nickname,
        WriteKey = writeKey ?? WriteKey,
        Region = region ?? Region,
        UserIdSource = userIdSource ?? UserIdSource,
        AnonymousIdSource = anonymousIdSource ?? AnonymousIdSource,
        CreatedAt = CreatedAt,
        UpdatedAt = updatedAt ?? UpdatedAt,
        ETag = ETag,
    };

    public override string ToString() => $"{Nickname} ({Region}, key …{WriteKeyLast4})";
}
