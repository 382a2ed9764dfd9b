using CleverTapSegment.Segment;

namespace CleverTapSegment.Forwarding.Mapping;

/// <summary>The one root identifier of a record: exactly one of the two is set.</summary>
internal readonly record struct RecordIdentity(string? Identity, string? ObjectId);

/// <summary>
/// Which CleverTap identifier a Segment event's records carry. Every record needs exactly one identifier
/// (error 523 otherwise). https://developer.clevertap.com/docs/upload-events-api
/// </summary>
internal static class IdentityRules
{
    /// <summary>
    /// <c>userId</c> → <c>identity</c>; else a valid <c>anonymousId</c> → <c>objectId</c>: in cloud mode CleverTap uses
    /// Segment's anonymous ID as the CleverTap ID (https://segment.com/docs/connections/destinations/catalog/clevertap/).
    /// False (and the event rejected) when neither is usable.
    /// </summary>
    public static bool TryResolve(SpecEvent segmentEvent, MappingContext context, out RecordIdentity identity)
    {
        identity = default;
        if (segmentEvent.UserId is { } userId)
        {
            identity = new RecordIdentity(userId, null);
            return true;
        }
        var anonymousId = segmentEvent.AnonymousId;
        if (anonymousId is null)
        {
            context.Reject("neither userId nor anonymousId is set");
            return false;
        }
        if (context.Settings.RefuseAnonymous)
        {
            context.Reject("anonymous-only event refused by settings (no userId)");
            return false;
        }
        if (!ValueRules.IsValidCleverTapId(anonymousId))
        {
            context.Reject(InvalidCleverTapId(anonymousId));
            return false;
        }
        identity = new RecordIdentity(null, anonymousId);
        return true;
    }

    public static string InvalidCleverTapId(string anonymousId) =>
        $"anonymousId '{anonymousId}' is not a valid CleverTap ID (1-64 characters of A-Z a-z 0-9 ( ) ! : @ $ _ -)";
}
