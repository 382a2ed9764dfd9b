using System.Collections.Frozen;
using CleverTapSegment.CleverTap;
using CleverTapSegment.Segment;

namespace CleverTapSegment.Forwarding.Mapping;

/// <summary>
/// <c>context.device.token</c> on any event becomes an extra <c>token</c> record for the CleverTap ID (the
/// anonymousId): https://segment.com/docs/connections/destinations/catalog/clevertap/ ("Push Tokens"),
/// https://developer.clevertap.com/docs/upload-device-tokens-api (objectId required; types apns, fcm, gcm, wns, mpns).
/// </summary>
internal static class DeviceTokens
{
    /// <summary><c>context.os.name</c> (lower case) → token type.</summary>
    private static readonly FrozenDictionary<string, string> s_tokenTypeByOs = new Dictionary<string, string>
    {
        ["android"] = "fcm",
        ["ios"] = "apns",
        ["ipados"] = "apns",
        ["watchos"] = "apns",
        ["tvos"] = "apns",
        ["macos"] = "apns",
        ["mac os x"] = "apns",
        ["mac os"] = "apns",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>Types a sender may force with <c>integrations.CleverTap.deviceTokenType</c>. <c>chrome</c> is left
    /// out: it needs web-push keys this bridge does not carry.</summary>
    private static readonly FrozenSet<string> s_overridableTypes =
        new[] { "fcm", "gcm", "apns", "wns", "mpns" }.ToFrozenSet(StringComparer.Ordinal);

    public static void AddTokenRecord(SpecEvent segmentEvent, MappingContext context)
    {
        var device = SpecEvent.Object(segmentEvent.Context, "device"u8);
        var token = SpecEvent.Text(device, "token"u8);
        if (string.IsNullOrWhiteSpace(token))
            return;
        var anonymousId = segmentEvent.AnonymousId;
        if (anonymousId is null)
        {
            context.Warn("context.device.token skipped: a token record needs an anonymousId as CleverTap ID");
            return;
        }
        if (!ValueRules.IsValidCleverTapId(anonymousId))
        {
            context.Warn("context.device.token skipped: " + IdentityRules.InvalidCleverTapId(anonymousId));
            return;
        }
        if (TokenType(segmentEvent, context) is not { } type)
            return;
        context.Records.Add(new UploadRecord
        {
            Type = UploadRecordType.Token,
            ObjectId = anonymousId,
            Token = new DeviceToken(token, type),
        });
    }

    private static string? TokenType(SpecEvent segmentEvent, MappingContext context)
    {
        var requested = SpecEvent.Text(IntegrationsOptOut.CleverTapOptions(segmentEvent), "deviceTokenType"u8);
        if (requested is not null)
        {
            var normalized = requested.Trim().ToLowerInvariant();
            if (s_overridableTypes.Contains(normalized))
                return normalized;
            context.Warn($"integrations.CleverTap.deviceTokenType '{requested}' is not one of fcm, gcm, apns, wns, mpns: ignored");
        }
        var os = SpecEvent.Text(SpecEvent.Object(segmentEvent.Context, "os"u8), "name"u8);
        if (os is not null && s_tokenTypeByOs.TryGetValue(os.Trim(), out var type))
            return type;
        context.Warn($"context.device.token skipped: cannot tell the token type from context.os.name '{os}'");
        return null;
    }
}
