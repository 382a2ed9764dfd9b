using System.Globalization;
using System.Text.RegularExpressions;

namespace CleverTapSegment.DevHost.Configuration;

/// <summary>
/// What the host reads from <c>host.json</c> and the app settings. host.json values sit under
/// <c>AzureFunctionsJobHost</c>, and an app setting <c>AzureFunctionsJobHost__extensions__queues__batchSize</c>
/// overrides <c>extensions.queues.batchSize</c>, as in the real host
/// (https://learn.microsoft.com/azure/azure-functions/functions-host-json#override-hostjson-values).
/// </summary>
internal sealed partial class HostConfiguration
{
    public const string JobHostSection = "AzureFunctionsJobHost";
    public const string StorageSetting = "AzureWebJobsStorage";

    private readonly IReadOnlyDictionary<string, string?> _settings;

    private HostConfiguration(IConfiguration configuration, IReadOnlyDictionary<string, string?> settings)
    {
        Configuration = configuration;
        _settings = settings;
        var queues = new HostQueueOptions();
        configuration.GetSection(HostQueueOptions.SectionName).Bind(queues);
        queues.Validate();
        Queues = queues;
        FunctionTimeout = ParseTimeout(configuration[$"{JobHostSection}:functionTimeout"]);
        RoutePrefix = (configuration[$"{JobHostSection}:extensions:http:routePrefix"] ?? "api").Trim('/');
    }

    public IConfiguration Configuration { get; }

    public HostQueueOptions Queues { get; }

    /// <summary>host.json <c>functionTimeout</c>; absent or -1 means the 30-minute default of Flex and Premium plans.</summary>
    public TimeSpan FunctionTimeout { get; }

    /// <summary>host.json <c>extensions.http.routePrefix</c> without slashes; "api" unless set, possibly empty.</summary>
    public string RoutePrefix { get; }

    public static HostConfiguration Load(string appDirectory, IReadOnlyDictionary<string, string?> settings)
    {
        // Configuration's own JSON provider flattens host.json (comments and trailing commas allowed), here under the
        // host's section name so the AzureFunctionsJobHost__* overrides below line up with it.
        var hostJson = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(Path.GetFullPath(appDirectory), "host.json"), optional: true)
            .Build()
            .AsEnumerable()
            .Where(pair => pair.Value is not null)
            .Select(pair => KeyValuePair.Create($"{JobHostSection}{ConfigurationPath.KeyDelimiter}{pair.Key}", pair.Value));
        var overrides = settings
            .Where(setting => setting.Key.StartsWith(JobHostSection + "__", StringComparison.OrdinalIgnoreCase))
            .Select(setting => KeyValuePair.Create(setting.Key.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal), setting.Value));
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(hostJson)
            .AddInMemoryCollection(overrides)
            .Build();
        return new HostConfiguration(configuration, settings);
    }

    public string? GetSetting(string name) => _settings.TryGetValue(name, out var value) ? value : null;

    /// <summary>Replaces <c>%Setting%</c> references in a binding value; a missing setting fails naming it.</summary>
    public string Expand(string value, string functionName) =>
        SettingReference().Replace(value, match =>
        {
            var setting = match.Groups[1].Value;
            var resolved = GetSetting(setting);
            return string.IsNullOrEmpty(resolved)
                ? throw new InvalidOperationException(
                    $"{functionName}: the binding expression '%{setting}%' needs the app setting {setting}, which is missing or empty.")
                : resolved;
        });

    /// <summary>
    /// <c>AzureWebJobs.&lt;FunctionName&gt;.Disabled</c> = true stops the host triggering a function
    /// (https://learn.microsoft.com/azure/azure-functions/disable-function).
    /// </summary>
    public bool IsDisabled(string functionName) =>
        GetSetting($"AzureWebJobs.{functionName}.Disabled") is { } value
        && (bool.TryParse(value, out var disabled) ? disabled : value == "1");

    /// <summary>
    /// The host id that names the timer status folder: <c>AzureFunctionsWebHost__hostid</c>, else derived from the
    /// machine name as the host does locally (lowercase, at most 32 characters).
    /// </summary>
    public string HostId
    {
        get
        {
            if (GetSetting("AzureFunctionsWebHost__hostid") is { Length: > 0 } configured)
            {
                return configured;
            }
            var derived = NonHostIdCharacters().Replace(Environment.MachineName.ToLowerInvariant(), "-").Trim('-');
            derived = derived.Length > 32 ? derived[..32].TrimEnd('-') : derived;
            return derived.Length == 0 ? "devhost" : derived;
        }
    }

    private static TimeSpan ParseTimeout(string? value) =>
        value is not null && TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var timeout) && timeout > TimeSpan.Zero
            ? timeout
            : TimeSpan.FromMinutes(30);

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex SettingReference();

    [GeneratedRegex("[^a-z0-9-]")]
    private static partial Regex NonHostIdCharacters();
}

/// <summary>
/// host.json <c>extensions.queues</c> with the host's defaults
/// (https://learn.microsoft.com/azure/azure-functions/functions-bindings-storage-queue#host-json).
/// </summary>
internal sealed class HostQueueOptions
{
    public const string SectionName = HostConfiguration.JobHostSection + ":extensions:queues";
    private const string SettingPrefix = "AzureFunctionsJobHost__extensions__queues__";

    public TimeSpan MaxPollingInterval { get; set; } = TimeSpan.FromMinutes(1);
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.Zero;
    public int BatchSize { get; set; } = 16;
    public int? NewBatchThreshold { get; set; }
    public int MaxDequeueCount { get; set; } = 5;
    public string MessageEncoding { get; set; } = "base64";

    /// <summary>The host's default is batchSize/2 per vCPU; one listener per queue here, so batchSize/2.</summary>
    public int EffectiveNewBatchThreshold => NewBatchThreshold ?? BatchSize / 2;

    public bool IsBase64 => string.Equals(MessageEncoding, "base64", StringComparison.OrdinalIgnoreCase);

    public void Validate()
    {
        var failures = new List<string>();
        if (MaxPollingInterval < TimeSpan.FromMilliseconds(100))
            failures.Add($"{SettingPrefix}maxPollingInterval must be at least 00:00:00.100.");
        if (VisibilityTimeout < TimeSpan.Zero || VisibilityTimeout > TimeSpan.FromDays(7))
            failures.Add($"{SettingPrefix}visibilityTimeout must be between 0 and 7 days.");
        if (BatchSize is < 1 or > 32)
            failures.Add($"{SettingPrefix}batchSize must be 1..32.");
        if (NewBatchThreshold is < 0)
            failures.Add($"{SettingPrefix}newBatchThreshold must not be negative.");
        if (MaxDequeueCount < 1)
            failures.Add($"{SettingPrefix}maxDequeueCount must be at least 1.");
        if (!IsBase64 && !string.Equals(MessageEncoding, "none", StringComparison.OrdinalIgnoreCase))
            failures.Add($"{SettingPrefix}messageEncoding must be base64 or none.");
        if (failures.Count > 0)
            throw new InvalidOperationException("host.json extensions.queues: " + string.Join(" ", failures));
    }
}
