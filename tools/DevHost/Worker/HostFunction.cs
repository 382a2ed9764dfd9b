using System.Text.Json;
using CleverTapSegment.DevHost.Rpc;

namespace CleverTapSegment.DevHost.Worker;

/// <summary>One function as the worker described it: its name and its trigger binding (from the raw bindings).</summary>
internal sealed class HostFunction
{
    private HostFunction(string name, JsonElement? trigger)
    {
        Name = name;
        Trigger = trigger;
        TriggerType = trigger is { } binding ? GetString(binding, "type") ?? "" : "";
        TriggerBindingName = trigger is { } named ? GetString(named, "name") ?? "" : "";
    }

    public string Name { get; }

    /// <summary>The trigger binding's JSON as in <c>functions.metadata</c> (<c>type</c>, <c>name</c>, <c>route</c>, …).</summary>
    public JsonElement? Trigger { get; }

    public string TriggerType { get; }

    public string TriggerBindingName { get; }

    public bool IsHttp => TriggerType.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase);

    public bool IsQueue => TriggerType.Equals("queueTrigger", StringComparison.OrdinalIgnoreCase);

    public bool IsTimer => TriggerType.Equals("timerTrigger", StringComparison.OrdinalIgnoreCase);

    public string? GetTriggerString(string property) => Trigger is { } binding ? GetString(binding, property) : null;

    public bool? GetTriggerBoolean(string property)
    {
        if (Trigger is not { } binding || !TryGetProperty(binding, property, out var value))
        {
            return null;
        }
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String when bool.TryParse(value.GetString(), out var parsed) => parsed,
            _ => null,
        };
    }

    public IReadOnlyList<string> GetTriggerStrings(string property) =>
        Trigger is { } binding && TryGetProperty(binding, property, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Where(item => item.ValueKind == JsonValueKind.String).Select(item => item.GetString()!).ToList()
            : [];

    public static HostFunction FromMetadata(RpcFunctionMetadata metadata)
    {
        JsonElement? trigger = null;
        foreach (var raw in metadata.RawBindings)
        {
            using var document = JsonDocument.Parse(raw);
            var binding = document.RootElement;
            var type = GetString(binding, "type") ?? "";
            var direction = GetString(binding, "direction") ?? "in";
            if (type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase) && direction.Equals("in", StringComparison.OrdinalIgnoreCase))
            {
                trigger = binding.Clone();
                break;
            }
        }
        return new HostFunction(metadata.Name, trigger);
    }

    private static string? GetString(JsonElement binding, string property) =>
        TryGetProperty(binding, property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Binding properties are camelCase in the metadata, but the host matches them case-insensitively.</summary>
    private static bool TryGetProperty(JsonElement binding, string name, out JsonElement value)
    {
        foreach (var property in binding.EnumerateObject())
        {
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }
        value = default;
        return false;
    }
}

/// <summary>
/// <c>functions.metadata</c> (written by the worker SDK at build) as load requests, for a worker that asks the host
/// to index (<c>use_default_metadata_indexing</c>).
/// </summary>
internal static class FunctionsMetadataFile
{
    public static IReadOnlyList<RpcFunctionMetadata> Read(string appDirectory)
    {
        var path = Path.Combine(appDirectory, "functions.metadata");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"The worker asked the host to index its functions, but {path} is missing.");
        }
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var functions = new List<RpcFunctionMetadata>();
        foreach (var function in document.RootElement.EnumerateArray())
        {
            var metadata = new RpcFunctionMetadata
            {
                Name = function.GetProperty("name").GetString(),
                Directory = appDirectory,
                ScriptFile = function.TryGetProperty("scriptFile", out var script) ? script.GetString() : "",
                EntryPoint = function.TryGetProperty("entryPoint", out var entry) ? entry.GetString() : "",
                Language = function.TryGetProperty("language", out var language) ? language.GetString() : "dotnet-isolated",
                FunctionId = Guid.NewGuid().ToString(),
            };
            foreach (var binding in function.GetProperty("bindings").EnumerateArray())
            {
                metadata.RawBindings.Add(binding.GetRawText());
                var direction = binding.TryGetProperty("direction", out var d) ? d.GetString() : "in";
                var info = new BindingInfo
                {
                    Type = binding.GetProperty("type").GetString(),
                    Direction = direction?.ToLowerInvariant() switch
                    {
                        "out" => BindingInfo.Types.Direction.Out,
                        "inout" => BindingInfo.Types.Direction.Inout,
                        _ => BindingInfo.Types.Direction.In,
                    },
                    DataType = (binding.TryGetProperty("dataType", out var dataType) ? dataType.GetString() : null)?.ToLowerInvariant() switch
                    {
                        "string" => BindingInfo.Types.DataType.String,
                        "binary" => BindingInfo.Types.DataType.Binary,
                        "stream" => BindingInfo.Types.DataType.Stream,
                        _ => BindingInfo.Types.DataType.Undefined,
                    },
                };
                metadata.Bindings[binding.GetProperty("name").GetString()] = info;
            }
            functions.Add(metadata);
        }
        return functions;
    }
}
