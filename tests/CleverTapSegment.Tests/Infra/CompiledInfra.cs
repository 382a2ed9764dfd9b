using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CleverTapSegment.Tests.Infra;

/// <summary>
/// infra/ compiled once per test run by the real Bicep CLI: <c>bicep build</c> of main.bicep (the ARM JSON the
/// invariant tests read), <c>bicep lint</c> of every file, <c>bicep build-params</c> of main.bicepparam.
/// </summary>
internal static partial class CompiledInfra
{
    public const string MainTemplate = "infra/main.bicep";
    public const string ParametersFile = "infra/main.bicepparam";
    public const string FlexConsumption = "FlexConsumption";
    public const string ElasticPremium = "ElasticPremium";

    /// <summary>What the tests pass to main.bicepparam's readEnvironmentVariable calls (recognisable, not secret).</summary>
    public static readonly IReadOnlyDictionary<string, string> ParameterEnvironment = new Dictionary<string, string>
    {
        ["CLEVERTAP_ACCOUNT_ID"] = "TEST-ACCOUNT-ID",
        ["CLEVERTAP_PASSCODE"] = "passcode-from-the-environment",
        ["SEGMENT_SHARED_SECRET"] = "shared-secret-from-the-environment",
    };

    private static readonly Lazy<Task<BicepRun>> s_build = new(() => BicepCli.RunAsync(["build", MainTemplate, "--stdout"]));
    private static readonly Lazy<Task<BicepRun>> s_lint = new(() => BicepCli.RunAsync(["lint", "--pattern", "infra/**/*.bicep*"], EnvironmentFor(ParameterEnvironment)));
    private static readonly Lazy<Task<BicepRun>> s_buildParams = new(() => BuildParamsAsync(ParameterEnvironment));
    private static readonly Lazy<Task<ArmTemplate>> s_template = new(async () =>
    {
        var build = await s_build.Value;
        Assert.True(build.ExitCode == 0, build.Report);
        return ArmTemplate.Parse(JsonDocument.Parse(build.StandardOutput).RootElement.Clone());
    });

    public static Task<BicepRun> BuildAsync() => s_build.Value;

    public static Task<BicepRun> LintAsync() => s_lint.Value;

    public static Task<BicepRun> BuildParamsAsync() => s_buildParams.Value;

    /// <summary><c>bicep build-params</c> with exactly these of main.bicepparam's environment variables set.</summary>
    public static Task<BicepRun> BuildParamsAsync(IReadOnlyDictionary<string, string> variables) =>
        BicepCli.RunAsync(["build-params", ParametersFile, "--stdout"], EnvironmentFor(variables));

    /// <summary>The compiled main template (modules nested in it).</summary>
    public static Task<ArmTemplate> TemplateAsync() => s_template.Value;

    /// <summary>The template evaluated for one hosting plan (<see cref="ArmEvaluator"/>).</summary>
    public static async Task<InfraDeployment> DeploymentAsync(string hostingPlan) => new(await TemplateAsync(), hostingPlan);

    /// <summary>The app settings either plan may set, each with the plans that set it.</summary>
    public static async Task<IReadOnlyList<InfraAppSetting>> AppSettingsAsync()
    {
        var settings = new Dictionary<string, InfraAppSetting>(StringComparer.Ordinal);
        foreach (var plan in new[] { FlexConsumption, ElasticPremium })
        {
            foreach (var (name, value) in (await DeploymentAsync(plan)).AppSettings)
            {
                settings[name] = settings.TryGetValue(name, out var known)
                    ? known with { Plans = [.. known.Plans, plan] }
                    : new InfraAppSetting(name, value, [plan]);
            }
        }
        return settings.Values.ToList();
    }

    /// <summary>
    /// Every variable main.bicepparam reads is set as given or removed, so the developer's own shell (a
    /// CTSEG_HOSTING_PLAN export, say) cannot change what the tests see.
    /// </summary>
    private static Dictionary<string, string?> EnvironmentFor(IReadOnlyDictionary<string, string> variables)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryPaths.Root, ParametersFile));
        var environment = EnvironmentVariableRead().Matches(text).Select(m => m.Groups[1].Value).Distinct()
            .ToDictionary(name => name, string? (_) => null);
        foreach (var (name, value) in variables)
            environment[name] = value;
        return environment;
    }

    [GeneratedRegex(@"readEnvironmentVariable\(\s*'([^']+)'")]
    private static partial Regex EnvironmentVariableRead();
}

/// <summary>The compiled template as deployed with one hosting plan, its other parameters unknown.</summary>
internal sealed class InfraDeployment
{
    private readonly ArmEvaluator _evaluator;

    public InfraDeployment(ArmTemplate main, string hostingPlan)
    {
        Main = main;
        HostingPlan = hostingPlan;
        _evaluator = new ArmEvaluator(new Dictionary<string, JsonNode?> { ["hostingPlan"] = JsonValue.Create(hostingPlan) });
    }

    public ArmTemplate Main { get; }

    public string HostingPlan { get; }

    public JsonNode? Evaluate(JsonElement value, ArmTemplate scope) => _evaluator.Evaluate(value, scope);

    /// <summary>A resource with everything knowable evaluated.</summary>
    public JsonObject Evaluate(ArmResource resource) => (JsonObject)Evaluate(resource.Json, resource.Template)!;

    /// <summary>The one resource of a type that any template (main or a module) creates.</summary>
    public ArmResource Created(string type)
    {
        var matches = Main.SelfAndDescendants().SelectMany(t => t.Resources).Where(r => r.Type == type && !r.IsExisting).ToList();
        return matches.Count == 1 ? matches[0] : throw new InvalidOperationException($"{matches.Count} resources of type {type} are created, expected one.");
    }

    /// <summary><c>resourceId('type', name)</c> of a top-level resource, rendered as its references would be.</summary>
    public string ResourceIdOf(ArmResource resource)
    {
        var name = Evaluate(resource.Json.GetProperty("name"), resource.Template);
        var nameExpression = ArmEvaluator.IsUnknown(name) ? ArmExpression.Parse(ArmEvaluator.Text(name)) : new ArmString(ArmEvaluator.Text(name));
        return new ArmCall("resourceId", [new ArmString(resource.Type), nameExpression]).ToString();
    }

    /// <summary>The value a module call passes for one of the module's parameters, evaluated.</summary>
    public JsonNode? PassedTo(string module, string parameter)
    {
        var template = Main.Module(module);
        return Evaluate(template.PassedParameter(parameter) ?? throw new InvalidOperationException($"{module} gets no {parameter}."), Main);
    }

    /// <summary>The app settings resource (<c>Microsoft.Web/sites/config</c> 'appsettings'), evaluated: name → value.</summary>
    public IReadOnlyDictionary<string, string> AppSettings
    {
        get
        {
            var config = Main.SelfAndDescendants().SelectMany(t => t.Resources)
                .Single(r => r.Type == "Microsoft.Web/sites/config" && r.Name.Contains("'appsettings'", StringComparison.Ordinal));
            var properties = Evaluate(config)["properties"] as JsonObject
                ?? throw new InvalidOperationException("The app settings are not an object the tests can read.");
            return properties.ToDictionary(p => p.Key, p => p.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : p.Value?.ToJsonString() ?? "null", StringComparer.Ordinal);
        }
    }
}

/// <summary>An app setting as the template sets it: the name (<c>*</c> where computed), the value (an unknown one as
/// its <c>[expression]</c>), and the hosting plans that set it.</summary>
internal sealed record InfraAppSetting(string Name, string Value, IReadOnlyList<string> Plans)
{
    public bool OnFlex => Plans.Contains(CompiledInfra.FlexConsumption);
}
