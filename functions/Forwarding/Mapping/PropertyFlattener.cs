using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using CleverTapSegment.CleverTap;

namespace CleverTapSegment.Forwarding.Mapping;

/// <summary>Where flattened values go: events and profiles differ only in how arrays are sent.</summary>
internal enum ValueTarget
{
    /// <summary>Arrays become JSON strings: only <c>Items</c> may nest in <c>evtData</c> (error 512).
    /// https://developer.clevertap.com/docs/upload-events-api</summary>
    Event,
    /// <summary>Arrays of scalars become multi-value string properties. https://docs.clevertap.com/docs/platform-considerations</summary>
    Profile,
}

/// <summary>
/// Copies custom Segment properties / traits into flat CleverTap data: key style, nested objects flattened with
/// <c>_</c>, nulls dropped, limits applied and reported, collisions reported (the first key wins).
/// </summary>
internal static class PropertyFlattener
{
    private const int MaxDepth = 16;

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_jsonBuffer;
    [ThreadStatic] private static Utf8JsonWriter? t_jsonWriter;

    private static readonly JsonWriterOptions s_compactJson = new()
    {
        // Array text is a CleverTap value shown to people, not HTML: keep non-ASCII readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    /// <summary>Adds every member of <paramref name="source"/> except the <paramref name="excluded"/> ones.</summary>
    public static void AddMembers(UploadData data, JsonElement source, ValueTarget target, MappingContext context,
        string? keyPrefix = null, ReadOnlySpan<string> excluded = default)
    {
        if (source.ValueKind != JsonValueKind.Object)
            return;
        foreach (var member in source.EnumerateObject())
        {
            if (member.Value.ValueKind == JsonValueKind.Null || IsExcluded(member, excluded))
                continue;
            AddValue(data, KeyFor(member.Name, keyPrefix, context.Settings.KeyStyle), member.Name, member.Value, target, context, 0);
        }
    }

    /// <summary>Adds one custom key (the key style applied) with its value flattened.</summary>
    public static void AddValue(UploadData data, string sourceKey, JsonElement value, ValueTarget target, MappingContext context) =>
        AddValue(data, KeyFor(sourceKey, null, context.Settings.KeyStyle), sourceKey, value, target, context, 0);

    /// <summary>Reports more event properties than CleverTap keeps by default.</summary>
    public static void CheckEventPropertyCount(UploadData data, MappingContext context)
    {
        if (data.Count > ValueRules.MaxEventProperties)
            context.Warn($"event has {data.Count} properties, over CleverTap's default limit of {ValueRules.MaxEventProperties}");
    }

    /// <summary>Each segment takes the key style before joining, so <c>address.postalCode</c> becomes
    /// <c>address_postal_code</c> (the style of the joined key is the same).</summary>
    private static string KeyFor(string key, string? prefix, KeyStyle style)
    {
        var styled = KeyStyles.Apply(style, key);
        return prefix is null ? styled : string.Concat(prefix, "_", styled);
    }

    private static void AddValue(UploadData data, string key, string sourceKey, JsonElement value, ValueTarget target,
        MappingContext context, int depth)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null or JsonValueKind.Undefined:
                return;
            case JsonValueKind.Object:
                if (depth >= MaxDepth)
                {
                    Put(data, key, sourceKey, UploadValue.FromString(CompactJson(value)), context);
                    return;
                }
                foreach (var member in value.EnumerateObject())
                {
                    // Warnings about a nested key name it by its flattened key: no path string per key on the hot path.
                    var nestedKey = KeyFor(member.Name, key, context.Settings.KeyStyle);
                    if (member.Value.ValueKind != JsonValueKind.Null)
                        AddValue(data, nestedKey, nestedKey, member.Value, target, context, depth + 1);
                }
                return;
            case JsonValueKind.Array when target == ValueTarget.Profile && IsScalarArray(value):
                Put(data, key, sourceKey, MultiValue(key, value, context), context);
                return;
            default:
                Put(data, key, sourceKey, Scalar(key, value, context), context);
                return;
        }
    }

    /// <summary>A scalar as a CleverTap value; an array or object as its compact JSON text. Null (reported) when a
    /// number cannot be sent (see <see cref="NumberValues"/>).</summary>
    public static UploadValue? Scalar(string key, JsonElement value, MappingContext context) => value.ValueKind switch
    {
        JsonValueKind.String => UploadValue.FromString(CutString(key, value.GetString()!, context)),
        JsonValueKind.Number => NumberValues.Property(key, value, context),
        JsonValueKind.True => UploadValue.FromBoolean(true),
        JsonValueKind.False => UploadValue.FromBoolean(false),
        _ => UploadValue.FromString(CutString(key, CompactJson(value), context)),
    };

    private static void Put(UploadData data, string key, string sourceKey, UploadValue? value, MappingContext context)
    {
        if (value is null)
            return;
        if (key.Length == 0)
        {
            context.Warn($"key '{sourceKey}' has no letters or digits left after the key style: dropped");
            return;
        }
        if (ValueRules.TryCutKey(key, out var cutKey))
        {
            key = cutKey;
            context.Warn($"key '{key}' cut to {ValueRules.MaxKeyBytes} bytes");
        }
        if (!data.TryAdd(key, value.Value))
            context.Warn($"key '{sourceKey}' becomes '{key}', which an earlier key already set: dropped");
    }

    private static UploadValue MultiValue(string key, JsonElement array, MappingContext context)
    {
        var count = array.GetArrayLength();
        var values = new List<string>(Math.Min(count, ValueRules.MaxMultiValueItems));
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Null)
                continue;
            if (values.Count == ValueRules.MaxMultiValueItems)
            {
                context.Warn($"multi-value '{key}' cut to {ValueRules.MaxMultiValueItems} values");
                break;
            }
            values.Add(item.ValueKind == JsonValueKind.String
                ? CutString(key, item.GetString()!, context)
                : item.GetRawText());
        }
        return UploadValue.FromStrings(values);
    }

    private static bool IsScalarArray(JsonElement array)
    {
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                return false;
        }
        return true;
    }

    public static string CutString(string key, string value, MappingContext context)
    {
        if (!ValueRules.TryCutValue(value, out var cut))
            return value;
        context.Warn($"value of '{key}' cut to {ValueRules.MaxValueBytes} bytes");
        return cut;
    }

    private static bool IsExcluded(JsonProperty member, ReadOnlySpan<string> excluded)
    {
        foreach (var name in excluded)
        {
            if (member.NameEquals(name))
                return true;
        }
        return false;
    }

    private static string CompactJson(JsonElement value)
    {
        var buffer = t_jsonBuffer ??= new ArrayBufferWriter<byte>(256);
        var writer = t_jsonWriter ??= new Utf8JsonWriter(buffer, s_compactJson);
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        value.WriteTo(writer);
        writer.Flush();
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
