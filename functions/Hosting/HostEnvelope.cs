using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CleverTapSegment.Hosting;

/// <summary>
/// The host → handler request for a non-HTTP trigger: <c>{"Data": {binding: value}, "Metadata": {…}}</c>.
/// Read defensively: property names in any case, missing sections treated as empty.
/// https://learn.microsoft.com/azure/azure-functions/functions-custom-handlers#request-payload
/// </summary>
public sealed class InvocationRequest
{
    private InvocationRequest(IReadOnlyDictionary<string, JsonElement> data, IReadOnlyDictionary<string, JsonElement> metadata)
    {
        Data = data;
        Metadata = metadata;
    }

    public IReadOnlyDictionary<string, JsonElement> Data { get; }
    public IReadOnlyDictionary<string, JsonElement> Metadata { get; }

    /// <exception cref="InvalidEnvelopeException">The body is not a JSON object.</exception>
    public static InvocationRequest Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidEnvelopeException($"The invocation body must be a JSON object, not {root.ValueKind}.");
        }
        var sections = ToDictionary(root);
        return new InvocationRequest(Section(sections, "Data"), Section(sections, "Metadata"));
    }

    /// <summary>
    /// The queue message text. The host serializes a string trigger value with <c>JsonConvert.SerializeObject</c>
    /// when it cannot make an object of it, so the text may arrive JSON-encoded twice; it is unwrapped once.
    /// </summary>
    public QueueTrigger ToQueueTrigger(string? bindingName)
    {
        var value = TriggerValue(bindingName);
        var text = value.ValueKind switch
        {
            JsonValueKind.String => UnwrapDoubleEncoded(value.GetString()!),
            JsonValueKind.Null or JsonValueKind.Undefined => "",
            _ => value.GetRawText(),
        };
        return new QueueTrigger(
            text,
            MetadataString("Id"),
            MetadataInt64("DequeueCount") ?? 1,
            MetadataDate("InsertionTime"));
    }

    /// <summary>The timer info (<c>IsPastDue</c>, nullable <c>ScheduleStatus</c>); PascalCase from the host, any case accepted.</summary>
    public TimerTrigger ToTimerTrigger(string? bindingName)
    {
        var value = TriggerValue(bindingName);
        if (value.ValueKind == JsonValueKind.String && TryParseJson(value.GetString()!, out var parsed))
        {
            value = parsed;
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            return new TimerTrigger(false, null, null);
        }
        var timer = ToDictionary(value);
        var isPastDue = timer.TryGetValue("IsPastDue", out var pastDue) && ReadBoolean(pastDue);
        DateTimeOffset? last = null, next = null;
        if (timer.TryGetValue("ScheduleStatus", out var status) && status.ValueKind == JsonValueKind.Object)
        {
            var statusValues = ToDictionary(status);
            last = statusValues.TryGetValue("Last", out var l) ? ReadDate(l) : null;
            next = statusValues.TryGetValue("Next", out var n) ? ReadDate(n) : null;
        }
        return new TimerTrigger(isPastDue, last, next);
    }

    private JsonElement TriggerValue(string? bindingName)
    {
        if (bindingName is not null && Data.TryGetValue(bindingName, out var named))
        {
            return named;
        }
        // Without the binding name (no function.json at hand) a trigger-only function has exactly one Data entry.
        if (Data.Count == 1)
        {
            return Data.Values.Single();
        }
        throw new InvalidEnvelopeException(bindingName is null
            ? $"Data has {Data.Count} entries; cannot tell which is the trigger."
            : $"Data has no '{bindingName}' entry.");
    }

    private static string UnwrapDoubleEncoded(string text)
    {
        var trimmed = text.AsSpan().Trim();
        if (trimmed.Length >= 2 && trimmed[0] == '"' && trimmed[^1] == '"'
            && TryParseJson(text, out var inner) && inner.ValueKind == JsonValueKind.String)
        {
            return inner.GetString()!;
        }
        return text;
    }

    private static bool TryParseJson(string text, out JsonElement element)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            element = document.RootElement.Clone();
            return true;
        }
        catch (JsonException)
        {
            element = default;
            return false;
        }
    }

    private string? MetadataString(string key) =>
        Metadata.TryGetValue(key, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;

    private long? MetadataInt64(string key)
    {
        if (!Metadata.TryGetValue(key, out var value)) return null;
        return value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt64(out var number) => number,
            JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) => number,
            _ => null,
        };
    }

    private DateTimeOffset? MetadataDate(string key) => Metadata.TryGetValue(key, out var value) ? ReadDate(value) : null;

    private static DateTimeOffset? ReadDate(JsonElement value) =>
        value.ValueKind == JsonValueKind.String
        && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            ? date
            : null;

    private static bool ReadBoolean(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.String => bool.TryParse(value.GetString(), out var parsed) && parsed,
        _ => false,
    };

    private static Dictionary<string, JsonElement> ToDictionary(JsonElement obj)
    {
        var result = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in obj.EnumerateObject())
        {
            result[property.Name] = property.Value.Clone();
        }
        return result;
    }

    private static IReadOnlyDictionary<string, JsonElement> Section(Dictionary<string, JsonElement> sections, string name) =>
        sections.TryGetValue(name, out var section) && section.ValueKind == JsonValueKind.Object
            ? ToDictionary(section)
            : new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// The handler → host response: <c>{"Outputs": {…}, "Logs": […], "ReturnValue": …}</c>. We write no output bindings
/// (queues are written over REST), so Outputs stays empty; Logs lines become host traces.
/// https://learn.microsoft.com/azure/azure-functions/functions-custom-handlers#response-payload
/// </summary>
public sealed record InvocationResponse(
    [property: JsonPropertyName("Outputs")] IReadOnlyDictionary<string, JsonElement> Outputs,
    [property: JsonPropertyName("Logs")] IReadOnlyList<string> Logs,
    [property: JsonPropertyName("ReturnValue")] JsonElement? ReturnValue)
{
    public static InvocationResponse WithLogs(params string[] logs) =>
        new(new Dictionary<string, JsonElement>(), logs, null);
}

/// <summary>The request body is not a usable <c>{Data, Metadata}</c> envelope.</summary>
public sealed class InvalidEnvelopeException(string message) : Exception(message);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(InvocationResponse))]
[JsonSerializable(typeof(StorageHealthReport))]
internal sealed partial class HostingJsonContext : JsonSerializerContext;
