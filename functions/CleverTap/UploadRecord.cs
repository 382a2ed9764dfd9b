using System.Text.Json;
using System.Text.Json.Nodes;

namespace CleverTapSegment.CleverTap;

/// <summary>The three record kinds of the Upload API body <c>{"d":[…]}</c>. https://developer.clevertap.com/docs/upload-events-api</summary>
public enum UploadRecordType { Profile, Event, Token }

/// <summary>A push token for a <c>token</c> record. https://developer.clevertap.com/docs/upload-device-tokens-api</summary>
public sealed record DeviceToken(string Id, string Type);

/// <summary>
/// One Upload API record. Exactly one of <see cref="Identity"/> / <see cref="ObjectId"/> is set.
/// CONTRACT (skeleton): delivery depends only on the identifiers, <see cref="Type"/> and <see cref="WriteTo"/>;
/// the mapping work may change how <see cref="Data"/> is represented.
/// </summary>
public sealed class UploadRecord
{
    public required UploadRecordType Type { get; init; }
    public string? Identity { get; init; }
    public string? ObjectId { get; init; }
    /// <summary>Epoch seconds.</summary>
    public long? Timestamp { get; init; }
    /// <summary><c>evtName</c> for events.</summary>
    public string? EventName { get; init; }
    /// <summary><c>evtData</c> for events, <c>profileData</c> for profiles.</summary>
    public JsonObject? Data { get; init; }
    public DeviceToken? Token { get; init; }

    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", Type switch
        {
            UploadRecordType.Profile => "profile",
            UploadRecordType.Event => "event",
            _ => "token",
        });
        if (Identity is not null)
            writer.WriteString("identity", Identity);
        if (ObjectId is not null)
            writer.WriteString("objectId", ObjectId);
        if (Timestamp is { } ts)
            writer.WriteNumber("ts", ts);
        if (EventName is not null)
            writer.WriteString("evtName", EventName);
        if (Data is not null)
        {
            writer.WritePropertyName(Type == UploadRecordType.Event ? "evtData" : "profileData");
            Data.WriteTo(writer);
        }
        if (Token is not null)
        {
            writer.WriteStartObject("tokenData");
            writer.WriteString("id", Token.Id);
            writer.WriteString("type", Token.Type);
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }
}
