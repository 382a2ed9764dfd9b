using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Options;

namespace CleverTapSegment.Hosting;

/// <summary>
/// <c>host.json</c> (next to the dll, where the host reads it) as configuration under <c>AzureFunctionsJobHost</c>,
/// below environment variables: the host's own override rule, so <c>AzureFunctionsJobHost__extensions__queues__maxDequeueCount</c>
/// changes a host.json value for the worker as it does for the host
/// (https://learn.microsoft.com/azure/azure-functions/functions-host-json#override-hostjson-values).
/// </summary>
public sealed class HostJsonConfigurationSource : MemoryConfigurationSource
{
    public const string SectionName = "AzureFunctionsJobHost";

    public HostJsonConfigurationSource(string hostJsonPath)
    {
        // Configuration's own JSON provider flattens host.json (comments and trailing commas allowed); mounted here
        // under the host's section name.
        InitialData = new ConfigurationBuilder()
            .AddJsonFile(Path.GetFullPath(hostJsonPath), optional: true)
            .Build()
            .AsEnumerable()
            .Where(pair => pair.Value is not null)
            .Select(pair => KeyValuePair.Create($"{SectionName}{ConfigurationPath.KeyDelimiter}{pair.Key}", pair.Value))
            .ToList();
    }

    /// <summary>The app root's host.json: beside the worker's dll.</summary>
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "host.json");
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
        builder.Sources.Insert(Math.Max(index, 0), source);
    }
}

/// <summary>
/// The host.json <c>extensions.queues</c> value the app's own logic needs: after <c>maxDequeueCount</c> failed attempts
/// the host moves a message to the poison queue, so the worker's last attempt fails its item instead
/// (https://learn.microsoft.com/azure/azure-functions/functions-bindings-storage-queue#host-json).
/// </summary>
public sealed class HostQueueOptions
{
    public const string SectionName = "AzureFunctionsJobHost:extensions:queues";
    public const string EnvironmentPrefix = "AzureFunctionsJobHost__extensions__queues__";

    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>
    /// How long a message whose invocation failed stays invisible before its retry (the host's default is zero):
    /// what the export detail shows as an item's next attempt.
    /// </summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.Zero;
}

internal sealed class HostQueueOptionsValidator : IValidateOptions<HostQueueOptions>
{
    public ValidateOptionsResult Validate(string? name, HostQueueOptions options) =>
        options switch
        {
            { MaxDequeueCount: < 1 } => ValidateOptionsResult.Fail($"{HostQueueOptions.EnvironmentPrefix}maxDequeueCount must be at least 1."),
            { VisibilityTimeout.Ticks: < 0 } => ValidateOptionsResult.Fail($"{HostQueueOptions.EnvironmentPrefix}visibilityTimeout must not be negative."),
            _ => ValidateOptionsResult.Success,
        };
}
