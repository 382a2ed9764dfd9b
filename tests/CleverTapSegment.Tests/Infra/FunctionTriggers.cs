using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CleverTapSegment.Tests.Infra;

/// <summary>
/// The storage bindings and setting references of the app's functions, wherever they are declared:
/// <list type="bullet">
/// <item>isolated worker: attributes in the functions assembly, <c>[Function("ExportWorker")]</c> with
/// <c>[QueueTrigger("export-work")]</c>, <c>[TimerTrigger("%Exports__SchedulerSchedule%")]</c>, <c>[QueueOutput(…)]</c>
/// (matched by attribute type name, so this project needs no worker package);</item>
/// <item>custom handler: <c>&lt;Function&gt;/function.json</c> files under functions/.</item>
/// </list>
/// Both are read and merged, so the tests hold before, during and after the move between the two.
/// https://learn.microsoft.com/azure/azure-functions/dotnet-isolated-process-guide#bindings
/// </summary>
internal static partial class FunctionTriggers
{
    /// <summary>The connection a storage binding uses when it names none.</summary>
    public const string DefaultConnection = "AzureWebJobsStorage";

    public static IReadOnlyList<FunctionBinding> All() =>
        FromAttributes(AppSettingCatalog.FunctionsAssembly.GetTypes())
            .Concat(FromFunctionJson(RepositoryPaths.FunctionJsonFiles()))
            .DistinctBy(b => (b.Function, b.Type, b.QueueName, b.Connection, string.Join(",", b.SettingReferences)))
            .ToList();

    /// <summary>Queues the app names in code: every <c>const string QueueName</c> (the functions assembly's convention).</summary>
    public static IReadOnlyList<string> QueueNameConstants() =>
        AppSettingCatalog.FunctionsAssembly.GetTypes()
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(f => f is { IsLiteral: true, Name: "QueueName" } && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Distinct()
            .ToList();

    public static IEnumerable<FunctionBinding> FromAttributes(IEnumerable<Type> types)
    {
        const BindingFlags methods = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var method in types.SelectMany(t => t.GetMethods(methods)))
        {
            var function = method.GetCustomAttributes(inherit: false).FirstOrDefault(a => a.GetType().Name == "FunctionAttribute");
            if (function is null)
                continue;
            var functionName = StringProperty(function, "Name") ?? method.Name;
            var attributes = method.GetParameters().SelectMany(p => p.GetCustomAttributes(inherit: false))
                .Concat(method.GetCustomAttributes(inherit: false))
                .Concat(method.ReturnParameter.GetCustomAttributes(inherit: false));
            foreach (var attribute in attributes)
            {
                var binding = FromAttribute(functionName, attribute);
                if (binding is not null)
                    yield return binding;
            }
        }
    }

    private static FunctionBinding? FromAttribute(string function, object attribute)
    {
        var typeName = attribute.GetType().Name;
        var kind = typeName.EndsWith("Attribute", StringComparison.Ordinal) ? typeName[..^"Attribute".Length] : typeName;
        if (!kind.EndsWith("Trigger", StringComparison.Ordinal) && !kind.EndsWith("Input", StringComparison.Ordinal) && !kind.EndsWith("Output", StringComparison.Ordinal))
            return null;
        // As function.json spells binding types: QueueTrigger → queueTrigger, and a queue output is "queue".
        var type = kind == "QueueOutput" ? "queue" : char.ToLowerInvariant(kind[0]) + kind[1..];
        // %Setting% references may sit in any string property (a schedule, a queue name, a route).
        var references = attribute.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.PropertyType == typeof(string) && p.GetIndexParameters().Length == 0)
            .SelectMany(p => SettingReferences((string?)p.GetValue(attribute)))
            .ToList();
        var queueName = StringProperty(attribute, "QueueName");
        var connection = attribute.GetType().GetProperty("Connection") is null ? null : StringProperty(attribute, "Connection") ?? DefaultConnection;
        return new FunctionBinding(function, type, queueName, connection, references, $"{function} [{kind}]");
    }

    public static IEnumerable<FunctionBinding> FromFunctionJson(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            var function = Path.GetFileName(Path.GetDirectoryName(path)!);
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            foreach (var binding in json.RootElement.GetProperty("bindings").EnumerateArray())
            {
                var type = binding.GetProperty("type").GetString()!;
                var queueName = binding.TryGetProperty("queueName", out var queue) ? queue.GetString() : null;
                var connection = binding.TryGetProperty("connection", out var c) ? c.GetString()
                    : type is "queueTrigger" or "queue" ? DefaultConnection : null;
                var references = binding.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String)
                    .SelectMany(p => SettingReferences(p.Value.GetString())).ToList();
                yield return new FunctionBinding(function, type, queueName, connection, references, $"{function}/function.json");
            }
        }
    }

    private static string? StringProperty(object attribute, string name) =>
        attribute.GetType().GetProperty(name)?.GetValue(attribute) as string;

    private static IEnumerable<string> SettingReferences(string? text) =>
        text is null ? [] : SettingReference().Matches(text).Select(m => m.Groups[1].Value);

    [GeneratedRegex("%([A-Za-z0-9_]+)%")]
    private static partial Regex SettingReference();
}

/// <summary>
/// One binding of a function: its type as function.json spells it (<c>queueTrigger</c>, <c>queue</c>,
/// <c>timerTrigger</c>, …), the queue and connection where it has them, and the <c>%settings%</c> it reads.
/// </summary>
internal sealed record FunctionBinding(string Function, string Type, string? QueueName, string? Connection, IReadOnlyList<string> SettingReferences, string DeclaredBy);
