using System.Text.Json;

namespace CleverTapSegment.Tests.Infra;

/// <summary>
/// A compiled ARM template (what <c>bicep build</c> writes): the main template, or the nested template of one of its
/// modules (a <c>Microsoft.Resources/deployments</c> resource), which knows the call that passes its parameters.
/// Resources may be an array or, with <c>languageVersion</c> 2.0, an object keyed by symbolic name.
/// https://learn.microsoft.com/azure/azure-resource-manager/templates/syntax
/// </summary>
internal sealed class ArmTemplate
{
    public const string DeploymentType = "Microsoft.Resources/deployments";

    private ArmTemplate(JsonElement json, string name, ArmTemplate? parent, ArmResource? moduleCall)
    {
        Json = json;
        Name = name;
        Parent = parent;
        ModuleCall = moduleCall;
        Resources = ReadResources(json, this);
        Modules = Resources.Where(r => r.Type == DeploymentType)
            .Select(call => new ArmTemplate(call.Json.GetProperty("properties").GetProperty("template"), call.LiteralName, this, call))
            .ToList();
    }

    public static ArmTemplate Parse(JsonElement json) => new(json, "main", null, null);

    public JsonElement Json { get; }

    /// <summary><c>main</c>, or the deployment name of the module (<c>functionapp</c>).</summary>
    public string Name { get; }

    public ArmTemplate? Parent { get; }

    /// <summary>For a module: the deployments resource in <see cref="Parent"/> that passes its parameters.</summary>
    public ArmResource? ModuleCall { get; }

    /// <summary>This template's own resources (modules' resources are in <see cref="Modules"/>).</summary>
    public IReadOnlyList<ArmResource> Resources { get; }

    public IReadOnlyList<ArmTemplate> Modules { get; }

    public IEnumerable<ArmTemplate> SelfAndDescendants() => Modules.SelectMany(m => m.SelfAndDescendants()).Prepend(this);

    public ArmTemplate Module(string deploymentName) =>
        Modules.SingleOrDefault(m => m.Name == deploymentName) ?? throw new InvalidOperationException($"{Name} has no module deployed as '{deploymentName}'.");

    /// <summary>The one resource of a type (not an <c>existing</c> reference) declared by this template itself.</summary>
    public ArmResource Resource(string type)
    {
        var matches = Resources.Where(r => r.Type == type && !r.IsExisting).ToList();
        return matches.Count == 1 ? matches[0] : throw new InvalidOperationException($"{Name} declares {matches.Count} resources of type {type}, expected one.");
    }

    public IEnumerable<JsonProperty> ParameterDeclarations => Properties("parameters");

    public JsonElement ParameterDeclaration(string name) =>
        Json.GetProperty("parameters").TryGetProperty(name, out var declaration) ? declaration : throw new InvalidOperationException($"{Name} declares no parameter {name}.");

    public bool DeclaresParameter(string name) => Json.TryGetProperty("parameters", out var parameters) && parameters.TryGetProperty(name, out _);

    public bool IsSecureParameter(string name) => IsSecureType(ParameterDeclaration(name));

    public static bool IsSecureType(JsonElement declaration) =>
        declaration.TryGetProperty("type", out var type) && type.GetString() is { } t && t.StartsWith("secure", StringComparison.OrdinalIgnoreCase);

    public JsonElement Variable(string name) =>
        Json.GetProperty("variables").TryGetProperty(name, out var value) ? value : throw new InvalidOperationException($"{Name} has no variable {name} (the compiler may have inlined it).");

    public IEnumerable<JsonProperty> Variables => Properties("variables");

    public IEnumerable<JsonProperty> Outputs => Properties("outputs");

    /// <summary>The value a module call passes for one of this (nested) template's parameters, if it passes it.</summary>
    public JsonElement? PassedParameter(string name) =>
        ModuleCall is { } call && call.Json.GetProperty("properties").TryGetProperty("parameters", out var passed)
            && passed.TryGetProperty(name, out var parameter) && parameter.TryGetProperty("value", out var value)
            ? value
            : null;

    private IEnumerable<JsonProperty> Properties(string section) =>
        Json.TryGetProperty(section, out var element) ? element.EnumerateObject() : [];

    private static List<ArmResource> ReadResources(JsonElement template, ArmTemplate owner)
    {
        var resources = template.GetProperty("resources");
        return resources.ValueKind == JsonValueKind.Array
            ? resources.EnumerateArray().Select(r => new ArmResource(null, r, owner)).ToList()
            : resources.EnumerateObject().Select(p => new ArmResource(p.Name, p.Value, owner)).ToList();
    }

    public override string ToString() => Name;
}

/// <summary>One resource of a compiled template, as written (expressions unevaluated).</summary>
internal sealed class ArmResource(string? symbol, JsonElement json, ArmTemplate template)
{
    /// <summary>The Bicep symbolic name, when the template uses languageVersion 2.0.</summary>
    public string? Symbol { get; } = symbol;

    public JsonElement Json { get; } = json;

    public ArmTemplate Template { get; } = template;

    public string Type => Json.GetProperty("type").GetString()!;

    public string? ApiVersion => Json.TryGetProperty("apiVersion", out var version) ? version.GetString() : null;

    public bool IsExisting => Json.TryGetProperty("existing", out var existing) && existing.GetBoolean();

    /// <summary>The <c>name</c> as written: a literal or an expression text.</summary>
    public string Name => Json.GetProperty("name").GetString()!;

    public string LiteralName => ArmExpression.IsExpression(Name) ? throw new InvalidOperationException($"{Type} name {Name} is not a literal.") : Name;

    public override string ToString() => $"{Template.Name}: {Symbol ?? Type} ({Type})";
}
