using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CleverTapSegment.CleverTap;

/// <summary>The three record kinds of the Upload API body <c>{"d":[…]}</c>. https://developer.clevertap.com/docs/upload-events-api</summary>
public enum UploadRecordType { Profile, Event, Token }

/// <summary>A push token for a <c>token</c> record. https://developer.clevertap.com/docs/upload-device-tokens-api</summary>
public sealed record DeviceToken(string Id, string Type);

/// <summary>
/// One Upload API record. Exactly one of <see cref="Identity"/> / <see cref="ObjectId"/> is set.
/// Delivery depends only on the identifiers, <see cref="Type"/> and <see cref="WriteTo"/>.
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
    /// <summary><c>evtData</c> for events, <c>profileData</c> for profiles (a <see cref="JsonObject"/> converts implicitly).</summary>
    public UploadData? Data { get; init; }
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

/// <summary>One key of <c>evtData</c> / <c>profileData</c>.</summary>
public readonly record struct UploadField(string Key, UploadValue Value);

public enum UploadValueKind { String, Integer, Number, Boolean, StringArray, Items }

/// <summary>
/// A flat CleverTap value. A small union instead of <see cref="JsonNode"/> so mapping a hot event costs a few
/// allocations, not a node tree. <see cref="UploadValueKind.Items"/> exists only for the Charged <c>Items</c> key,
/// the one key allowed to nest. https://developer.clevertap.com/docs/upload-events-api
/// </summary>
public readonly struct UploadValue : IEquatable<UploadValue>
{
    private readonly object? _reference;
    private readonly long _integer;

    private UploadValue(UploadValueKind kind, object? reference, long integer)
    {
        Kind = kind;
        _reference = reference;
        _integer = integer;
    }

    public UploadValueKind Kind { get; }

    public static UploadValue FromString(string value) => new(UploadValueKind.String, value, 0);
    public static UploadValue FromInteger(long value) => new(UploadValueKind.Integer, null, value);
    /// <summary>A JSON number kept as its literal text, so decimals round-trip exactly.</summary>
    public static UploadValue FromNumberLiteral(string jsonNumber) => new(UploadValueKind.Number, jsonNumber, 0);
    public static UploadValue FromBoolean(bool value) => new(UploadValueKind.Boolean, null, value ? 1 : 0);
    public static UploadValue FromStrings(IReadOnlyList<string> values) => new(UploadValueKind.StringArray, values, 0);
    public static UploadValue FromItems(IReadOnlyList<UploadData> items) => new(UploadValueKind.Items, items, 0);

    /// <summary>The text of a string, or the literal of a number.</summary>
    public string? Text => _reference as string;
    public long Integer => _integer;
    public bool Boolean => _integer != 0;
    public IReadOnlyList<string> Strings => _reference as IReadOnlyList<string> ?? [];
    public IReadOnlyList<UploadData> Items => _reference as IReadOnlyList<UploadData> ?? [];

    public void WriteTo(Utf8JsonWriter writer)
    {
        switch (Kind)
        {
            case UploadValueKind.String:
                writer.WriteStringValue((string)_reference!);
                break;
            case UploadValueKind.Integer:
                writer.WriteNumberValue(_integer);
                break;
            case UploadValueKind.Number:
                writer.WriteRawValue((string)_reference!, skipInputValidation: true);
                break;
            case UploadValueKind.Boolean:
                writer.WriteBooleanValue(_integer != 0);
                break;
            case UploadValueKind.StringArray:
                writer.WriteStartArray();
                foreach (var item in Strings)
                    writer.WriteStringValue(item);
                writer.WriteEndArray();
                break;
            case UploadValueKind.Items:
                writer.WriteStartArray();
                foreach (var item in Items)
                    item.WriteTo(writer);
                writer.WriteEndArray();
                break;
        }
    }

    public override string ToString() => Kind switch
    {
        UploadValueKind.Integer => _integer.ToString(CultureInfo.InvariantCulture),
        UploadValueKind.Boolean => Boolean ? "true" : "false",
        UploadValueKind.StringArray => "[" + string.Join(",", Strings) + "]",
        UploadValueKind.Items => $"[{Items.Count} items]",
        _ => Text ?? "",
    };

    public bool Equals(UploadValue other) =>
        Kind == other.Kind && _integer == other._integer && Equals(_reference, other._reference);

    public override bool Equals(object? obj) => obj is UploadValue other && Equals(other);
    public override int GetHashCode() => HashCode.Combine(Kind, _integer, _reference);
    public static bool operator ==(UploadValue left, UploadValue right) => left.Equals(right);
    public static bool operator !=(UploadValue left, UploadValue right) => !left.Equals(right);
}

/// <summary>The flat key/value object of one record, in insertion order.</summary>
public sealed class UploadData : IReadOnlyList<UploadField>
{
    private readonly List<UploadField> _fields;

    public UploadData() => _fields = [];
    public UploadData(int capacity) => _fields = new List<UploadField>(capacity);

    public int Count => _fields.Count;
    public UploadField this[int index] => _fields[index];

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, out UploadValue value)
    {
        var index = IndexOf(key);
        value = index >= 0 ? _fields[index].Value : default;
        return index >= 0;
    }

    /// <summary>Adds a key; false (and nothing changes) when the key is already there.</summary>
    public bool TryAdd(string key, UploadValue value)
    {
        if (IndexOf(key) >= 0)
            return false;
        _fields.Add(new UploadField(key, value));
        return true;
    }

    /// <summary>Adds or replaces a key.</summary>
    public void Set(string key, UploadValue value)
    {
        var index = IndexOf(key);
        if (index >= 0)
            _fields[index] = new UploadField(key, value);
        else
            _fields.Add(new UploadField(key, value));
    }

    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        foreach (var field in _fields)
        {
            writer.WritePropertyName(field.Key);
            field.Value.WriteTo(writer);
        }
        writer.WriteEndObject();
    }

    public JsonObject ToJsonObject()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
            WriteTo(writer);
        return JsonNode.Parse(buffer.WrittenSpan)!.AsObject();
    }

    public IEnumerator<UploadField> GetEnumerator() => _fields.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    // Records are small (≤ 100 keys by CleverTap's limit), so a scan beats hashing every key.
    private int IndexOf(string key)
    {
        var fields = _fields;
        for (var i = 0; i < fields.Count; i++)
        {
            if (string.Equals(fields[i].Key, key, StringComparison.Ordinal))
                return i;
        }
        return -1;
    }

    /// <summary>Lets callers (tests, fakes) build data as a <see cref="JsonObject"/>: scalars stay scalars, an
    /// array of objects becomes items, any other array a list of strings, a nested object its JSON text.</summary>
    public static implicit operator UploadData(JsonObject json) => FromJsonObject(json);

    public static UploadData FromJsonObject(JsonObject json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var data = new UploadData(json.Count);
        foreach (var (key, node) in json)
        {
            if (node is not null)
                data.Set(key, FromNode(node));
        }
        return data;
    }

    // A JsonValue may wrap any CLR numeric type: its JSON text is the one common form.
    private static UploadValue NumberFromLiteral(string literal) =>
        long.TryParse(literal, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)
            ? UploadValue.FromInteger(integer)
            : UploadValue.FromNumberLiteral(literal);

    private static UploadValue FromNode(JsonNode node) => node switch
    {
        JsonArray array when array.Count > 0 && array.All(item => item is JsonObject) =>
            UploadValue.FromItems(array.Select(item => FromJsonObject(item!.AsObject())).ToArray()),
        JsonArray array => UploadValue.FromStrings(array.Select(item =>
            item is JsonValue value && value.TryGetValue<string>(out var text) ? text : item?.ToJsonString() ?? "").ToArray()),
        JsonObject obj => UploadValue.FromString(obj.ToJsonString()),
        _ => node.GetValueKind() switch
        {
            JsonValueKind.String => UploadValue.FromString(node.GetValue<string>()),
            JsonValueKind.True => UploadValue.FromBoolean(true),
            JsonValueKind.False => UploadValue.FromBoolean(false),
            _ => NumberFromLiteral(node.ToJsonString()),
        },
    };
}
