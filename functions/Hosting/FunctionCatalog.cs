using System.Text.Json;
using System.Text.RegularExpressions;

namespace CleverTapSegment.Hosting;

/// <summary>
/// The function app root: where <c>host.json</c> and the <c>&lt;FunctionName&gt;/function.json</c> folders live.
/// Next to the dll (never the working directory), so <c>dotnet DIR/app.dll</c> works from anywhere; tests may
/// register another root holding their own function folders.
/// </summary>
public sealed record FunctionAppRoot(string Path)
{
    public static FunctionAppRoot Default { get; } = new(AppContext.BaseDirectory);

    public string HostJsonPath => System.IO.Path.Combine(Path, "host.json");
}

/// <summary>One binding of a <c>function.json</c>; values are raw (<c>%AppSetting%</c> not yet expanded).</summary>
public sealed record FunctionBinding(
    string Name,
    string Type,
    string? Direction,
    IReadOnlyDictionary<string, JsonElement> Properties)
{
    public bool IsTrigger => Type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase);

    public string? GetString(string property) =>
        Properties.TryGetValue(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public bool? GetBoolean(string property) =>
        Properties.TryGetValue(property, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : null;
}

/// <summary>A function as the host sees it: the folder name and the bindings of its <c>function.json</c>.</summary>
public sealed record FunctionDefinition(string Name, string FunctionJsonPath, IReadOnlyList<FunctionBinding> Bindings)
{
    public FunctionBinding? Trigger => Bindings.FirstOrDefault(binding => binding.IsTrigger);

    public bool IsHttp => string.Equals(Trigger?.Type, "httpTrigger", StringComparison.OrdinalIgnoreCase);
    public bool IsQueue => string.Equals(Trigger?.Type, "queueTrigger", StringComparison.OrdinalIgnoreCase);
    public bool IsTimer => string.Equals(Trigger?.Type, "timerTrigger", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// Every <c>function.json</c> under the app root, read once. The host's rule: the folder name is the function name
/// (https://learn.microsoft.com/azure/azure-functions/functions-custom-handlers#application-structure).
/// </summary>
public sealed class FunctionCatalog
{
    private readonly Dictionary<string, FunctionDefinition> _byName;

    public FunctionCatalog(FunctionAppRoot root)
    {
        Root = root;
        _byName = Load(root.Path).ToDictionary(definition => definition.Name, StringComparer.OrdinalIgnoreCase);
    }

    public FunctionAppRoot Root { get; }

    public IReadOnlyCollection<FunctionDefinition> Functions => _byName.Values;

    public FunctionDefinition? Find(string functionName) => _byName.GetValueOrDefault(functionName);

    public static IReadOnlyList<FunctionDefinition> Load(string rootPath)
    {
        if (!Directory.Exists(rootPath))
        {
            return [];
        }
        return Directory.EnumerateDirectories(rootPath)
            .Select(directory => Path.Combine(directory, "function.json"))
            .Where(File.Exists)
            .Select(ReadFunctionJson)
            .OrderBy(definition => definition.Name, StringComparer.Ordinal)
            .ToList();
    }

    private static FunctionDefinition ReadFunctionJson(string path)
    {
        var name = Path.GetFileName(Path.GetDirectoryName(path))!;
        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        });
        var bindings = new List<FunctionBinding>();
        if (TryGetProperty(document.RootElement, "bindings", out var array) && array.ValueKind == JsonValueKind.Array)
        {
            foreach (var binding in array.EnumerateArray().Where(b => b.ValueKind == JsonValueKind.Object))
            {
                var properties = binding.EnumerateObject()
                    .ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.OrdinalIgnoreCase);
                bindings.Add(new FunctionBinding(
                    ReadString(properties, "name") ?? throw new InvalidOperationException($"{path}: a binding has no \"name\"."),
                    ReadString(properties, "type") ?? throw new InvalidOperationException($"{path}: a binding has no \"type\"."),
                    ReadString(properties, "direction"),
                    properties));
            }
        }
        return new FunctionDefinition(name, path, bindings);
    }

    private static string? ReadString(Dictionary<string, JsonElement> properties, string name) =>
        properties.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool TryGetProperty(JsonElement obj, string name, out JsonElement value)
    {
        foreach (var property in obj.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
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
/// Expands <c>%Name%</c> app-setting references in binding values, as the host does for <c>schedule</c>,
/// <c>queueName</c> and the like (https://learn.microsoft.com/azure/azure-functions/functions-bindings-expressions-patterns#binding-expressions---app-settings).
/// </summary>
public static partial class AppSettingExpander
{
    public static string Expand(string value, IConfiguration configuration) =>
        AppSettingReference().Replace(value, match =>
        {
            var setting = match.Groups[1].Value;
            var resolved = configuration[setting.Replace("__", ":", StringComparison.Ordinal)];
            return string.IsNullOrEmpty(resolved)
                ? throw new InvalidOperationException($"The binding expression '%{setting}%' needs the app setting {setting}, which is missing or empty.")
                : resolved;
        });

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex AppSettingReference();
}
