using System.Buffers;
using System.Globalization;
using System.Text.Json;
using CleverTapSegment.CleverTap;

namespace CleverTapSegment.Forwarding.Spool;

/// <summary>One spooled record: its de-duplication key and the Upload API record exactly as it will be sent.</summary>
public sealed record SpooledRecord(string Key, UploadRecord Record)
{
    /// <summary>The first record of its Segment event (<c>{messageId}#0</c>): counting these counts events, not records.</summary>
    public bool StartsEvent => Key.EndsWith("#0", StringComparison.Ordinal);
}

/// <summary>
/// The content of one <c>ingest-spool</c> message (schema <see cref="SchemaVersion"/>): the CleverTap connection, when
/// its records were first acknowledged to Segment, how many delivery attempts it has had, and either the records or
/// the name of the claim-check blob holding them. JSON, UTF-8; the queue client Base64-encodes it.
/// </summary>
public sealed record SpoolMessage(string Id, string Account, DateTimeOffset EnqueuedAt, int Attempt, IReadOnlyList<SpooledRecord> Records, string? Blob = null)
{
    public const int SchemaVersion = 1;

    /// <summary>
    /// A queue message may be 64 KiB once encoded, and Base64 turns 3 bytes into 4: 48 KiB of JSON, less a margin
    /// for the envelope (https://learn.microsoft.com/azure/storage/queues/storage-queues-introduction).
    /// </summary>
    public const int MaxInlineBytes = 48 * 1024 - 512;

    /// <summary>The message as stored in the queue: with its records, or pointing at <paramref name="blob"/> instead.</summary>
    public byte[] ToJson(bool withRecords = true, string? blob = null)
    {
        var buffer = new ArrayBufferWriter<byte>(withRecords ? 256 + Records.Count * 200 : 256);
        WriteJson(buffer, withRecords, blob);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary><see cref="ToJson"/> into <paramref name="output"/> (a pooled buffer for a message of many records).</summary>
    public void WriteJson(IBufferWriter<byte> output, bool withRecords = true, string? blob = null)
    {
        using var writer = new Utf8JsonWriter(output);
        writer.WriteStartObject();
        writer.WriteNumber("v", SchemaVersion);
        writer.WriteString("id", Id);
        writer.WriteString("account", Account);
        writer.WriteString("enqueuedAt", EnqueuedAt);
        writer.WriteNumber("attempt", Attempt);
        if (blob is not null)
            writer.WriteString("blob", blob);
        if (withRecords)
        {
            writer.WriteStartArray("records");
            foreach (var record in Records)
            {
                writer.WriteStartObject();
                writer.WriteString("k", record.Key);
                writer.WritePropertyName("r");
                record.Record.WriteTo(writer);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }

    /// <exception cref="JsonException">Not a spool message of a known schema.</exception>
    public static SpoolMessage Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("v", out var version) || version.GetInt32() != SchemaVersion)
            throw new JsonException($"Not a spool message of schema {SchemaVersion}.");
        var records = new List<SpooledRecord>();
        if (root.TryGetProperty("records", out var array))
        {
            foreach (var item in array.EnumerateArray())
                records.Add(new SpooledRecord(item.GetProperty("k").GetString()!, SpoolRecordReader.Read(item.GetProperty("r"))));
        }
        return new SpoolMessage(
            root.GetProperty("id").GetString()!,
            root.GetProperty("account").GetString()!,
            root.GetProperty("enqueuedAt").GetDateTimeOffset(),
            root.GetProperty("attempt").GetInt32(),
            records,
            root.TryGetProperty("blob", out var blob) ? blob.GetString() : null);
    }
}

/// <summary>
/// Reads an Upload API record back from the JSON <see cref="UploadRecord.WriteTo"/> wrote, so that sending it later
/// writes the same bytes (https://developer.clevertap.com/docs/upload-events-api). Numbers keep their literal text;
/// an integral literal becomes an integer, which writes identically.
/// </summary>
public static class SpoolRecordReader
{
    public static UploadRecord Read(JsonElement record)
    {
        var type = record.GetProperty("type").GetString() switch
        {
            "profile" => UploadRecordType.Profile,
            "event" => UploadRecordType.Event,
            "token" => UploadRecordType.Token,
            var other => throw new JsonException($"Unknown record type '{other}'."),
        };
        DeviceToken? token = null;
        if (record.TryGetProperty("tokenData", out var tokenData))
            token = new DeviceToken(tokenData.GetProperty("id").GetString()!, tokenData.GetProperty("type").GetString()!);
        UploadData? data = null;
        if (record.TryGetProperty(type == UploadRecordType.Event ? "evtData" : "profileData", out var dataElement))
            data = ReadData(dataElement);
        return new UploadRecord
        {
            Type = type,
            Identity = record.TryGetProperty("identity", out var identity) ? identity.GetString() : null,
            ObjectId = record.TryGetProperty("objectId", out var objectId) ? objectId.GetString() : null,
            Timestamp = record.TryGetProperty("ts", out var ts) ? ts.GetInt64() : null,
            EventName = record.TryGetProperty("evtName", out var name) ? name.GetString() : null,
            Data = data,
            Token = token,
        };
    }

    private static UploadData ReadData(JsonElement element)
    {
        var data = new UploadData();
        foreach (var property in element.EnumerateObject())
            data.Set(property.Name, ReadValue(property.Value));
        return data;
    }

    private static UploadValue ReadValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => UploadValue.FromString(value.GetString()!),
        JsonValueKind.True => UploadValue.FromBoolean(true),
        JsonValueKind.False => UploadValue.FromBoolean(false),
        JsonValueKind.Number => long.TryParse(value.GetRawText(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)
            ? UploadValue.FromInteger(integer)
            : UploadValue.FromNumberLiteral(value.GetRawText()),
        JsonValueKind.Array when value.EnumerateArray().Any(item => item.ValueKind == JsonValueKind.Object)
            => UploadValue.FromItems(value.EnumerateArray().Select(ReadData).ToList()),
        JsonValueKind.Array => UploadValue.FromStrings(value.EnumerateArray().Select(item => item.GetString() ?? "").ToList()),
        _ => throw new JsonException($"A {value.ValueKind} is not a CleverTap value."),
    };
}
