using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Azure;

namespace CleverTapSegment.Storage;

/// <summary>
/// Entity JSON with <c>@odata.type</c> annotations for the types JSON cannot carry (Int64, DateTime, Guid, Binary,
/// and Double so that 2.0 stays a double).
/// https://learn.microsoft.com/rest/api/storageservices/payload-format-for-table-service-operations
/// </summary>
internal static class TableEntityJson
{
    private const string TypeAnnotation = "@odata.type";

    public static bool IsSystemProperty(string name) =>
        name is "PartitionKey" or "RowKey" or "Timestamp" || name.StartsWith("odata.", StringComparison.Ordinal) || name.Contains('@', StringComparison.Ordinal);

    public static string FormatDateTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    public static byte[] Write(TableEntity entity)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("PartitionKey", entity.PartitionKey);
            writer.WriteString("RowKey", entity.RowKey);
            foreach (var name in entity.Keys)
                WriteProperty(writer, name, entity[name]!);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteProperty(Utf8JsonWriter writer, string name, object value)
    {
        switch (value)
        {
            case string text:
                writer.WriteString(name, text);
                break;
            case bool flag:
                writer.WriteBoolean(name, flag);
                break;
            case int number:
                writer.WriteNumber(name, number);
                break;
            case long number:
                writer.WriteString(name + TypeAnnotation, "Edm.Int64");
                writer.WriteString(name, number.ToString(CultureInfo.InvariantCulture));
                break;
            case double number:
                writer.WriteString(name + TypeAnnotation, "Edm.Double");
                if (double.IsFinite(number))
                    writer.WriteNumber(name, number);
                else
                    writer.WriteString(name, double.IsNaN(number) ? "NaN" : number > 0 ? "Infinity" : "-Infinity");
                break;
            case DateTimeOffset time:
                writer.WriteString(name + TypeAnnotation, "Edm.DateTime");
                writer.WriteString(name, FormatDateTime(time));
                break;
            case Guid guid:
                writer.WriteString(name + TypeAnnotation, "Edm.Guid");
                writer.WriteString(name, guid.ToString("D"));
                break;
            case byte[] bytes:
                writer.WriteString(name + TypeAnnotation, "Edm.Binary");
                writer.WriteBase64String(name, bytes);
                break;
            default:
                throw new ArgumentException($"Property '{name}' has unsupported type {value.GetType().Name}.");
        }
    }

    /// <summary>Reads one entity from a <c>minimalmetadata</c> (or fuller) JSON object.</summary>
    public static TableEntity Read(JsonElement element, string? etagHeader)
    {
        string? partitionKey = null, rowKey = null, etag = etagHeader;
        DateTimeOffset? timestamp = null;
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (property.Name.EndsWith(TypeAnnotation, StringComparison.Ordinal) && property.Value.ValueKind == JsonValueKind.String)
                annotations[property.Name[..^TypeAnnotation.Length]] = property.Value.GetString()!;
        }

        var values = new List<(string Name, object Value)>();
        foreach (var property in element.EnumerateObject())
        {
            switch (property.Name)
            {
                case "PartitionKey":
                    partitionKey = property.Value.GetString();
                    continue;
                case "RowKey":
                    rowKey = property.Value.GetString();
                    continue;
                case "Timestamp":
                    timestamp = ParseDateTime(property.Value.GetString()!);
                    continue;
                case "odata.etag":
                    etag ??= property.Value.GetString();
                    continue;
            }
            if (IsSystemProperty(property.Name) || property.Value.ValueKind == JsonValueKind.Null)
                continue;
            values.Add((property.Name, ReadValue(property.Value, annotations.GetValueOrDefault(property.Name))));
        }

        if (partitionKey is null || rowKey is null)
            throw new InvalidOperationException("The Table service returned an entity without PartitionKey or RowKey.");
        var entity = new TableEntity(partitionKey, rowKey) { Timestamp = timestamp };
        if (etag is not null)
            entity.ETag = new ETag(etag);
        foreach (var (name, value) in values)
            entity[name] = value;
        return entity;
    }

    private static object ReadValue(JsonElement value, string? edmType) => edmType switch
    {
        "Edm.Int64" => value.ValueKind == JsonValueKind.String ? long.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetInt64(),
        "Edm.Int32" => value.GetInt32(),
        "Edm.Double" => value.ValueKind == JsonValueKind.String ? ParseSpecialDouble(value.GetString()!) : value.GetDouble(),
        "Edm.DateTime" => ParseDateTime(value.GetString()!),
        "Edm.Guid" => Guid.Parse(value.GetString()!),
        "Edm.Binary" => value.GetBytesFromBase64(),
        "Edm.Boolean" => value.GetBoolean(),
        "Edm.String" => value.GetString()!,
        null => value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when value.TryGetInt32(out var number) => number,
            JsonValueKind.Number => value.GetDouble(),
            _ => throw new InvalidOperationException($"Unexpected JSON {value.ValueKind} in an entity."),
        },
        _ => throw new InvalidOperationException($"Unsupported entity property type {edmType}."),
    };

    private static double ParseSpecialDouble(string text) => text switch
    {
        "NaN" => double.NaN,
        "Infinity" => double.PositiveInfinity,
        "-Infinity" => double.NegativeInfinity,
        _ => double.Parse(text, CultureInfo.InvariantCulture),
    };

    private static DateTimeOffset ParseDateTime(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
