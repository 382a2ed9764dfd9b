using System.Buffers;
using System.Collections.Frozen;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace CleverTapSegment.Exports.Mapping;

/// <summary>
/// CleverTap export records → Segment <c>track</c>/<c>identify</c> messages (https://segment.com/docs/connections/spec/track/,
/// https://segment.com/docs/connections/spec/identify/). Pure: the same record and settings always give the same
/// bytes, which is what makes <c>messageId</c> de-duplicate a re-pulled window.
/// </summary>
public static class ExportRecordMapper
{
    /// <summary><c>context.integration</c>: partner streams name themselves there. https://segment.com/docs/partners/streams/</summary>
    public const string IntegrationName = "clevertap-segment-bridge";
    public const string IntegrationVersion = "1.0.0";

    /// <summary>Loop guard: a Segment → CleverTap destination on the same source must not send these back.</summary>
    private const string CleverTapIntegrationKey = "CleverTap";

    /// <summary>CleverTap standard profile fields → Segment reserved traits (https://segment.com/docs/connections/spec/identify/#traits); the rest keep their names.</summary>
    private static readonly FrozenDictionary<string, string> TraitNames = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Name"] = "name",
        ["Email"] = "email",
        ["Phone"] = "phone",
        ["Gender"] = "gender",
        ["DOB"] = "birthday",
        ["Photo"] = "avatar",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Top-level fields of a profile record that become traits when profileData lacks them.</summary>
    private static readonly string[] TopLevelTraits = ["name", "email", "phone"];

    /// <summary>CleverTap session UTM properties → Segment <c>context.campaign</c>. https://segment.com/docs/connections/spec/common/#context</summary>
    private static readonly FrozenDictionary<string, string> CampaignFields = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["utm_source"] = "source",
        ["utm_medium"] = "medium",
        ["utm_campaign"] = "name",
        ["utm_term"] = "term",
        ["utm_content"] = "content",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// Keeps non-ASCII text as UTF-8 (only quotes, backslashes and control characters are escaped): the output is JSON for
    /// an API, never HTML, so the default encoder's HTML-safety escaping would only inflate messages toward 32 KB.
    /// </summary>
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A Get Events record → <c>track</c>. The event name is not in the record (CleverTap does not echo it).</summary>
    public static ExportMapResult MapEvent(JsonElement record, string eventName, ExportIdentitySources sources, TimeZoneInfo projectTimeZone)
    {
        if (record.ValueKind != JsonValueKind.Object)
            return ExportMapResult.Skipped("the record is not a JSON object");
        var profile = Property(record, "profile");
        if (!record.TryGetProperty("ts", out var ts) || !ProjectLocalTime.TryReadTs(ts, out var local, out _))
            return ExportMapResult.Skipped($"the record's ts '{RawOrMissing(record, "ts")}' is not yyyyMMddHHmmss");
        var timestamp = ProjectLocalTime.ToUtc(local, projectTimeZone);

        var userId = sources.UserId switch
        {
            UserIdSource.Identity => Identifier(profile, "identity"),
            UserIdSource.Email => Identifier(profile, "email"),
            _ => null,
        };
        var anonymousId = sources.AnonymousId == AnonymousIdSource.ObjectId ? Identifier(profile, "objectId") : null;
        if (userId is null && anonymousId is null)
            return ExportMapResult.Skipped(NoIdentifierReason(sources), timestamp);

        // Event properties win over session properties of the same name.
        var properties = new Members();
        properties.AddAll(Property(record, "event_props"));
        var session = Property(record, "session_props");
        properties.AddAll(session);
        var campaign = new Members();
        if (session.ValueKind == JsonValueKind.Object)
        {
            foreach (var member in session.EnumerateObject())
            {
                if (CampaignFields.TryGetValue(member.Name, out var field) && member.Value.ValueKind == JsonValueKind.String)
                    campaign.Add(field, member.Value);
            }
        }

        var cleanEventName = ExportSpecialCharacters.CleanValue(eventName);
        var messageId = MessageId("track", cleanEventName, timestamp, userId, anonymousId, properties);
        var message = Write(writer =>
        {
            writer.WriteString("type", "track");
            writer.WriteString("messageId", messageId);
            writer.WriteString("event", cleanEventName);
            WriteIdentifiers(writer, userId, anonymousId);
            writer.WriteString("timestamp", ProjectLocalTime.ToIso(timestamp));
            writer.WritePropertyName("properties");
            properties.WriteObject(writer, canonical: false);
            WriteContextAndIntegrations(writer, campaign);
        });
        return ExportMapResult.Mapped(message, timestamp);
    }

    /// <summary>
    /// A Get User Profiles record → <c>identify</c>. Profile records carry no event time, so the timestamp is the
    /// record's <c>ts</c> if it has one, else <paramref name="fallbackTimestamp"/> (the caller's run window end).
    /// </summary>
    public static ExportMapResult MapProfile(JsonElement record, ExportIdentitySources sources, TimeZoneInfo projectTimeZone, DateTimeOffset fallbackTimestamp)
    {
        if (record.ValueKind != JsonValueKind.Object)
            return ExportMapResult.Skipped("the record is not a JSON object");
        var timestamp = record.TryGetProperty("ts", out var ts) && ProjectLocalTime.TryReadTs(ts, out var local, out _)
            ? ProjectLocalTime.ToUtc(local, projectTimeZone)
            : fallbackTimestamp.ToUniversalTime();
        // Whole seconds, like ts, so the message and its id do not depend on sub-second noise in the fallback.
        timestamp = new DateTimeOffset(timestamp.UtcTicks - (timestamp.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

        var profileData = Property(record, "profileData");
        var userId = sources.UserId switch
        {
            UserIdSource.Identity => Identifier(record, "identity"),
            UserIdSource.Email => Identifier(record, "email") ?? Identifier(profileData, "Email"),
            _ => null,
        };
        var anonymousId = sources.AnonymousId == AnonymousIdSource.ObjectId ? ProfileObjectId(record) : null;
        if (userId is null && anonymousId is null)
            return ExportMapResult.Skipped(NoIdentifierReason(sources), timestamp);

        var traits = new Members();
        if (profileData.ValueKind == JsonValueKind.Object)
        {
            foreach (var member in profileData.EnumerateObject())
                traits.Add(TraitNames.GetValueOrDefault(member.Name, member.Name), member.Value);
        }
        foreach (var name in TopLevelTraits)
        {
            if (record.TryGetProperty(name, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
                traits.Add(name, value);
        }

        var messageId = MessageId("identify", "", timestamp, userId, anonymousId, traits);
        var message = Write(writer =>
        {
            writer.WriteString("type", "identify");
            writer.WriteString("messageId", messageId);
            WriteIdentifiers(writer, userId, anonymousId);
            writer.WriteString("timestamp", ProjectLocalTime.ToIso(timestamp));
            writer.WritePropertyName("traits");
            traits.WriteObject(writer, canonical: false);
            WriteContextAndIntegrations(writer, campaign: null);
        });
        return ExportMapResult.Mapped(message, timestamp);
    }

    /// <summary>The special-character rule for names the export generates (storage keys, object names).</summary>
    public static string SafeName(string value) => ExportSpecialCharacters.SafeName(value);

    /// <summary>
    /// <c>ct-</c> + hex SHA-256 of the message's identifying content (type, event, timestamp, identifiers, properties in
    /// canonical key order): 67 characters, within Segment's 100. Context and integrations are left out so a new
    /// exporter version re-pulling a window still de-duplicates. https://segment.com/docs/guides/duplicate-data/
    /// </summary>
    private static string MessageId(string type, string eventName, DateTimeOffset timestamp, string? userId, string? anonymousId, Members properties)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartArray();
            writer.WriteStringValue(type);
            writer.WriteStringValue(eventName);
            writer.WriteStringValue(ProjectLocalTime.ToIso(timestamp));
            writer.WriteStringValue(userId);
            writer.WriteStringValue(anonymousId);
            properties.WriteObject(writer, canonical: true);
            writer.WriteEndArray();
        }
        return "ct-" + Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    private static byte[] Write(Action<Utf8JsonWriter> writeMembers)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writeMembers(writer);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteIdentifiers(Utf8JsonWriter writer, string? userId, string? anonymousId)
    {
        if (userId is not null)
            writer.WriteString("userId", userId);
        if (anonymousId is not null)
            writer.WriteString("anonymousId", anonymousId);
    }

    private static void WriteContextAndIntegrations(Utf8JsonWriter writer, Members? campaign)
    {
        writer.WriteStartObject("context");
        writer.WriteStartObject("integration");
        writer.WriteString("name", IntegrationName);
        writer.WriteString("version", IntegrationVersion);
        writer.WriteEndObject();
        if (campaign is { Count: > 0 })
        {
            writer.WritePropertyName("campaign");
            campaign.WriteObject(writer, canonical: false);
        }
        writer.WriteEndObject();
        writer.WriteStartObject("integrations");
        writer.WriteBoolean(CleverTapIntegrationKey, false);
        writer.WriteEndObject();
    }

    private static string NoIdentifierReason(ExportIdentitySources sources)
    {
        var fields = new List<string>(2);
        if (sources.UserId != UserIdSource.None)
            fields.Add(sources.UserId == UserIdSource.Identity ? "identity" : "email");
        if (sources.AnonymousId != AnonymousIdSource.None)
            fields.Add("objectId");
        return fields.Count == 0
            ? "no userId or anonymousId: the partner has neither a user-ID nor an anonymous-ID source"
            : $"no userId or anonymousId: the record has no {string.Join(" or ", fields)}";
    }

    /// <summary>The profile's CleverTap ID: top-level <c>objectId</c>, else the first device's (<c>platformInfo[].objectId</c>).</summary>
    private static string? ProfileObjectId(JsonElement record)
    {
        if (Identifier(record, "objectId") is { } objectId)
            return objectId;
        var platforms = Property(record, "platformInfo");
        if (platforms.ValueKind != JsonValueKind.Array)
            return null;
        foreach (var platform in platforms.EnumerateArray())
        {
            if (Identifier(platform, "objectId") is { } deviceObjectId)
                return deviceObjectId;
        }
        return null;
    }

    /// <summary>An identifier as text (identities can be numbers); blank counts as absent.</summary>
    private static string? Identifier(JsonElement container, string name)
    {
        if (container.ValueKind != JsonValueKind.Object || !container.TryGetProperty(name, out var value))
            return null;
        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
        return string.IsNullOrWhiteSpace(text) ? null : ExportSpecialCharacters.CleanValue(text.Trim());
    }

    private static JsonElement Property(JsonElement container, string name)
        => container.ValueKind == JsonValueKind.Object && container.TryGetProperty(name, out var value) ? value : default;

    private static string RawOrMissing(JsonElement record, string name)
        => record.TryGetProperty(name, out var value) ? value.GetRawText() : "(missing)";

    /// <summary>
    /// The members of an object being built, keyed by their cleaned names (first one wins), written either in
    /// arrival order (the message) or in canonical ordinal order, recursively (the messageId hash).
    /// </summary>
    private sealed class Members
    {
        private readonly List<KeyValuePair<string, JsonElement>> _members = [];
        private readonly HashSet<string> _names = new(StringComparer.Ordinal);

        public int Count => _members.Count;

        public void Add(string name, JsonElement value)
        {
            var clean = ExportSpecialCharacters.CleanValue(name);
            if (_names.Add(clean))
                _members.Add(new(clean, value));
        }

        public void AddAll(JsonElement source)
        {
            if (source.ValueKind != JsonValueKind.Object)
                return;
            foreach (var member in source.EnumerateObject())
                Add(member.Name, member.Value);
        }

        public void WriteObject(Utf8JsonWriter writer, bool canonical)
        {
            writer.WriteStartObject();
            IEnumerable<KeyValuePair<string, JsonElement>> members = canonical ? _members.OrderBy(m => m.Key, StringComparer.Ordinal) : _members;
            foreach (var (name, value) in members)
            {
                writer.WritePropertyName(name);
                WriteValue(writer, value, canonical);
            }
            writer.WriteEndObject();
        }

        private static void WriteValue(Utf8JsonWriter writer, JsonElement value, bool canonical)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.Object:
                    var nested = new Members();
                    nested.AddAll(value);
                    nested.WriteObject(writer, canonical);
                    break;
                case JsonValueKind.Array:
                    writer.WriteStartArray();
                    foreach (var item in value.EnumerateArray())
                        WriteValue(writer, item, canonical);
                    writer.WriteEndArray();
                    break;
                case JsonValueKind.String:
                    writer.WriteStringValue(ExportSpecialCharacters.CleanValue(value.GetString()!));
                    break;
                case JsonValueKind.Number:
                    // As CleverTap wrote it: re-formatting could change a large or precise number.
                    writer.WriteRawValue(JsonMarshal.GetRawUtf8Value(value), skipInputValidation: true);
                    break;
                case JsonValueKind.True:
                case JsonValueKind.False:
                    writer.WriteBooleanValue(value.GetBoolean());
                    break;
                default:
                    writer.WriteNullValue();
                    break;
            }
        }
    }
}
