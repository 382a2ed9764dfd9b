using System.Text.Json;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Options;

namespace CleverTapSegment.Hosting;

/// <summary>
/// <c>host.json</c> as configuration under <c>AzureFunctionsJobHost</c>, below environment variables: the host's own
/// override rule, so <c>AzureFunctionsJobHost__extensions__queues__maxDequeueCount</c> changes a host.json value
/// (https://learn.microsoft.com/azure/azure-functions/functions-host-json#override-hostjson-values).
/// </summary>
public sealed class HostJsonConfigurationSource : MemoryConfigurationSource
{
    public const string SectionName = "AzureFunctionsJobHost";

    public HostJsonConfigurationSource(string hostJsonPath)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (File.Exists(hostJsonPath))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(hostJsonPath), new JsonDocumentOptions
            {
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
            });
            Flatten(document.RootElement, SectionName, values);
        }
        InitialData = values;
    }

    private static void Flatten(JsonElement element, string path, Dictionary<string, string?> values)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, $"{path}:{property.Name}", values);
                }
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, $"{path}:{index++}", values);
                }
                break;
            case JsonValueKind.String:
                values[path] = element.GetString();
                break;
            case JsonValueKind.Null:
                values[path] = null;
                break;
            default:
                values[path] = element.GetRawText();
                break;
        }
    }
}

/// <summary>
/// <c>local.settings.json</c> <c>Values</c> in standalone mode, below environment variables, as <c>func start</c>
/// applies them (https://learn.microsoft.com/azure/azure-functions/functions-develop-local#local-settings-file).
/// Keys use the env-var form (<c>CleverTap__Region</c>) and are mapped to configuration keys.
/// </summary>
public sealed class LocalSettingsConfigurationSource : MemoryConfigurationSource
{
    public const string FileName = "local.settings.json";

    public LocalSettingsConfigurationSource(string path)
    {
        Path = path;
        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        });
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (document.RootElement.ValueKind == JsonValueKind.Object
            && document.RootElement.TryGetProperty("Values", out var settings)
            && settings.ValueKind == JsonValueKind.Object)
        {
            foreach (var setting in settings.EnumerateObject())
            {
                values[setting.Name.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal)] =
                    setting.Value.ValueKind == JsonValueKind.String ? setting.Value.GetString() : setting.Value.GetRawText();
            }
        }
        InitialData = values;
    }

    public string Path { get; }

    /// <summary>The working directory's file, else the repository root's (found by walking up to the .sln).</summary>
    public static string? Locate(string workingDirectory)
    {
        var candidate = System.IO.Path.Combine(workingDirectory, FileName);
        if (File.Exists(candidate))
        {
            return candidate;
        }
        for (var directory = new DirectoryInfo(workingDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "CleverTapSegment.sln")))
            {
                candidate = System.IO.Path.Combine(directory.FullName, FileName);
                return File.Exists(candidate) ? candidate : null;
            }
        }
        return null;
    }
}

internal static class ConfigurationLayering
{
    /// <summary>Inserts <paramref name="source"/> just below the unprefixed environment-variable source.</summary>
    public static void InsertBelowEnvironmentVariables(IConfigurationBuilder builder, IConfigurationSource source)
    {
        var index = -1;
        for (var i = 0; i < builder.Sources.Count; i++)
        {
            if (builder.Sources[i] is EnvironmentVariablesConfigurationSource { Prefix: null or "" })
            {
                index = i;
                break;
            }
        }
        if (index < 0)
        {
            builder.Sources.Insert(0, source);
        }
        else
        {
            builder.Sources.Insert(index, source);
        }
    }
}

/// <summary>
/// The host.json <c>extensions.queues</c> settings the standalone runner honours, with the host's defaults
/// (https://learn.microsoft.com/azure/azure-functions/functions-bindings-storage-queue#host-json).
/// </summary>
public sealed class HostQueueOptions
{
    public const string SectionName = "AzureFunctionsJobHost:extensions:queues";
    public const string EnvironmentPrefix = "AzureFunctionsJobHost__extensions__queues__";

    public TimeSpan MaxPollingInterval { get; set; } = TimeSpan.FromMinutes(1);
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.Zero;
    public int BatchSize { get; set; } = 16;
    public int? NewBatchThreshold { get; set; }
    public int MaxDequeueCount { get; set; } = 5;
    public string MessageEncoding { get; set; } = "base64";

    /// <summary>The host's default is batchSize/2 per vCPU; one listener here, so batchSize/2.</summary>
    public int EffectiveNewBatchThreshold => NewBatchThreshold ?? BatchSize / 2;

    public bool IsBase64 => string.Equals(MessageEncoding, "base64", StringComparison.OrdinalIgnoreCase);
}

internal sealed class HostQueueOptionsValidator : IValidateOptions<HostQueueOptions>
{
    public ValidateOptionsResult Validate(string? name, HostQueueOptions options)
    {
        var failures = new List<string>();
        if (options.MaxPollingInterval < TimeSpan.FromMilliseconds(100))
            failures.Add($"{HostQueueOptions.EnvironmentPrefix}maxPollingInterval must be at least 00:00:00.100.");
        if (options.VisibilityTimeout < TimeSpan.Zero || options.VisibilityTimeout > TimeSpan.FromDays(7))
            failures.Add($"{HostQueueOptions.EnvironmentPrefix}visibilityTimeout must be between 0 and 7 days.");
        if (options.BatchSize is < 1 or > 32)
            failures.Add($"{HostQueueOptions.EnvironmentPrefix}batchSize must be 1..32.");
        if (options.NewBatchThreshold is < 0)
            failures.Add($"{HostQueueOptions.EnvironmentPrefix}newBatchThreshold must not be negative.");
        if (options.MaxDequeueCount < 1)
            failures.Add($"{HostQueueOptions.EnvironmentPrefix}maxDequeueCount must be at least 1.");
        if (options.MessageEncoding is not ("base64" or "none" or "Base64" or "None"))
            failures.Add($"{HostQueueOptions.EnvironmentPrefix}messageEncoding must be base64 or none.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>host.json <c>functionTimeout</c>: the standalone runner cancels an invocation past it.</summary>
public sealed class HostFunctionOptions
{
    public const string SectionName = HostJsonConfigurationSource.SectionName;

    /// <summary>Absent means the plan default; 30 minutes is the Flex/Premium default.</summary>
    public TimeSpan? FunctionTimeout { get; set; }

    public TimeSpan EffectiveFunctionTimeout => FunctionTimeout is { } timeout && timeout > TimeSpan.Zero ? timeout : TimeSpan.FromMinutes(30);
}
