using System.Text.Json;
using System.Text.Json.Serialization;

namespace CleverTapSegment.Exports.Runs;

/// <summary>
/// The <c>export-work</c> queue message: which work item to process. It carries keys only; the cursor and counters
/// live in the item so any copy of the message (redelivery, continuation, re-enqueue) resumes from the checkpoint.
/// </summary>
public sealed record WorkMessage(
    [property: JsonPropertyName("exportId")] string ExportId,
    [property: JsonPropertyName("run")] string RunRowKey,
    [property: JsonPropertyName("item")] string ItemKey)
{
    public string ToJson() => JsonSerializer.Serialize(this, WorkMessageJson.Default.WorkMessage);

    public static bool TryParse(string text, out WorkMessage message)
    {
        try
        {
            var parsed = JsonSerializer.Deserialize(text, WorkMessageJson.Default.WorkMessage);
            if (parsed is { ExportId.Length: > 0, RunRowKey.Length: > 0, ItemKey.Length: > 0 })
            {
                message = parsed;
                return true;
            }
        }
        catch (JsonException)
        {
        }
        message = null!;
        return false;
    }
}

[JsonSerializable(typeof(WorkMessage))]
internal sealed partial class WorkMessageJson : JsonSerializerContext;
