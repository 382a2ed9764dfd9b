using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CleverTapSegment.Tests.Infra;

/// <summary>
/// Evaluates the parts of a compiled template that can be known before deployment, so the invariant tests read
/// values rather than text: variables are inlined, a module's <c>parameters('x')</c> becomes what its call passes,
/// the main template's parameters are what <see cref="ArmEvaluator(IReadOnlyDictionary{string, JsonNode})"/> binds
/// (the rest stay unknown), and <c>if</c>, <c>equals</c>, <c>empty</c>, <c>union</c>, <c>createObject</c>,
/// <c>format</c>, <c>reduce</c> and <c>toObject</c> are computed where their inputs are known.
/// <para>
/// An unknown value (a deployment-time value such as <c>reference(…)</c>, an unbound parameter, a lambda variable)
/// stays an expression, rendered with what is known substituted: <c>"[reference('identity').outputs.id.value]"</c>.
/// Where an <c>if</c> condition is unknown and both branches are objects, the result holds the keys of both: the
/// view is "what the template may set", which is what coverage and "never sets" checks need. Keys built from unknown
/// values read as <c>*</c> (<c>CleverTap__Connections__*__AccountId</c>).
/// </para>
/// </summary>
internal sealed partial class ArmEvaluator(IReadOnlyDictionary<string, JsonNode?> mainParameters)
{
    public JsonNode? Evaluate(JsonElement value, ArmTemplate scope) => value.ValueKind switch
    {
        JsonValueKind.Object => EvaluateObject(value, scope),
        JsonValueKind.Array => new JsonArray(value.EnumerateArray().Select(item => Evaluate(item, scope)).ToArray()),
        JsonValueKind.String => EvaluateString(value.GetString()!, scope),
        _ => JsonNode.Parse(value.GetRawText()),
    };

    /// <summary>Whether a value is unknown before deployment (an expression string).</summary>
    public static bool IsUnknown(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && ArmExpression.IsExpression(text);

    private JsonObject EvaluateObject(JsonElement value, ArmTemplate scope)
    {
        var result = new JsonObject();
        foreach (var property in value.EnumerateObject())
        {
            // A computed property name (userAssignedIdentities: { '[…id…]': {} }) keeps its rendered expression.
            var key = ArmExpression.IsExpression(property.Name) ? Text(Evaluate(ArmExpression.Parse(property.Name), scope)) : property.Name;
            result[key] = Evaluate(property.Value, scope);
        }
        return result;
    }

    private JsonNode? EvaluateString(string text, ArmTemplate scope)
    {
        if (ArmExpression.IsExpression(text))
            return Evaluate(ArmExpression.Parse(text), scope);
        return JsonValue.Create(text.StartsWith("[[", StringComparison.Ordinal) ? text[1..] : text);
    }

    public JsonNode? Evaluate(ArmExpression expression, ArmTemplate scope) => expression switch
    {
        ArmString s => JsonValue.Create(s.Value),
        ArmNumber n => JsonValue.Create(n.Value),
        ArmPropertyAccess access => Access(access, scope),
        ArmIndexAccess index => Index(index, scope),
        ArmCall call => Call(call, scope),
        _ => throw new NotSupportedException(expression.GetType().Name),
    };

    private JsonNode? Call(ArmCall call, ArmTemplate scope)
    {
        switch (call.Name.ToLowerInvariant())
        {
            case "parameters":
                return Parameter(call.SymbolName("parameters") ?? throw Unsupported(call), scope);
            case "variables":
                return Evaluate(scope.Variable(call.SymbolName("variables") ?? throw Unsupported(call)), scope);
            case "true":
                return JsonValue.Create(true);
            case "false":
                return JsonValue.Create(false);
            case "null":
                return null;
            case "equals" when call.Arguments.Count == 2:
                return KnownOr(call, scope, args => JsonValue.Create(JsonNode.DeepEquals(args[0], args[1])));
            case "not" when call.Arguments.Count == 1:
                return KnownOr(call, scope, args => args[0] is JsonValue v && v.TryGetValue<bool>(out var b) ? JsonValue.Create(!b) : null);
            case "empty" when call.Arguments.Count == 1:
                return KnownOr(call, scope, args => JsonValue.Create(IsEmpty(args[0])));
            case "if" when call.Arguments.Count == 3:
                return If(call, scope);
            case "union":
                return Union(call, scope);
            case "createobject":
                return CreateObject(call, scope);
            case "format":
                return KnownOr(call, scope, args => JsonValue.Create(Format(args)));
            case "string" when call.Arguments.Count == 1:
                return KnownOr(call, scope, args => JsonValue.Create(args[0] is JsonValue v && v.TryGetValue<string>(out var s) ? s : args[0]?.ToJsonString().Trim('"')));
            case "reduce" when call.Arguments is [_, var seed, ArmCall { Name: "lambda" } reducer]:
                // One step of the fold with an unknown element and accumulator: the keys any element may add.
                return Evaluate(seed, scope) is JsonObject initial && Evaluate(reducer.Arguments[^1], scope) is JsonObject step
                    ? Merge([initial, step])
                    : Unknown(call, scope);
            case "toobject" when call.Arguments is [_, ArmCall { Name: "lambda" } keyLambda, ..]:
                var valueLambda = call.Arguments.Count > 2 ? call.Arguments[2] as ArmCall : null;
                return new JsonObject
                {
                    [Pattern(Evaluate(keyLambda.Arguments[^1], scope))] = valueLambda is null ? Unknown(call, scope) : Evaluate(valueLambda.Arguments[^1], scope),
                };
            default:
                return Unknown(call, scope);
        }
    }

    private JsonNode? Parameter(string name, ArmTemplate scope)
    {
        if (scope.Parent is null)
            return mainParameters.TryGetValue(name, out var bound) ? bound?.DeepClone() : JsonValue.Create($"[parameters('{name}')]");
        if (scope.PassedParameter(name) is { } passed)
            return Evaluate(passed, scope.Parent);
        return scope.ParameterDeclaration(name).TryGetProperty("defaultValue", out var defaultValue)
            ? Evaluate(defaultValue, scope)
            : throw new InvalidOperationException($"Module {scope.Name} gets no value for parameter {name}.");
    }

    private JsonNode? If(ArmCall call, ArmTemplate scope)
    {
        var condition = Evaluate(call.Arguments[0], scope);
        if (condition is JsonValue value && value.TryGetValue<bool>(out var known))
            return Evaluate(call.Arguments[known ? 1 : 2], scope);
        var whenTrue = Evaluate(call.Arguments[1], scope);
        var whenFalse = Evaluate(call.Arguments[2], scope);
        return whenTrue is JsonObject a && whenFalse is JsonObject b ? Merge([a, b]) : Unknown(call, scope, [condition, whenTrue, whenFalse]);
    }

    // Objects only (the templates union objects); unknown operands, such as the caller's tags, contribute nothing.
    private JsonNode? Union(ArmCall call, ArmTemplate scope)
    {
        var operands = call.Arguments.Select(a => Evaluate(a, scope)).ToList();
        if (operands.Any(o => o is JsonArray) || !operands.Any(o => o is JsonObject))
            return Unknown(call, scope, [.. operands]);
        return Merge(operands.OfType<JsonObject>());
    }

    private JsonObject CreateObject(ArmCall call, ArmTemplate scope)
    {
        var result = new JsonObject();
        for (var i = 0; i + 1 < call.Arguments.Count; i += 2)
            result[Pattern(Evaluate(call.Arguments[i], scope))] = Evaluate(call.Arguments[i + 1], scope);
        return result;
    }

    private JsonNode? Index(ArmIndexAccess index, ArmTemplate scope)
    {
        var target = Evaluate(index.Target, scope);
        var key = Evaluate(index.Index, scope);
        if (target is JsonArray array && key is JsonValue v && v.TryGetValue<long>(out var i) && i >= 0 && i < array.Count)
            return array[(int)i]?.DeepClone();
        if (target is JsonObject obj && key is JsonValue s && s.TryGetValue<string>(out var name) && obj.TryGetPropertyValue(name, out var item))
            return item?.DeepClone();
        return JsonValue.Create(new ArmIndexAccess(ToExpression(target, index.Target), ToExpression(key, index.Index)).ToJsonString());
    }

    private JsonNode? Access(ArmPropertyAccess access, ArmTemplate scope)
    {
        var target = Evaluate(access.Target, scope);
        return target is JsonObject obj && obj.TryGetPropertyValue(access.Property, out var value)
            ? value?.DeepClone()
            : JsonValue.Create((access with { Target = ToExpression(target, access.Target) }).ToJsonString());
    }

    private JsonNode? KnownOr(ArmCall call, ArmTemplate scope, Func<JsonNode?[], JsonNode?> compute)
    {
        var args = call.Arguments.Select(a => Evaluate(a, scope)).ToArray();
        return args.Any(IsUnknown) ? Unknown(call, scope, args) : compute(args) ?? Unknown(call, scope, args);
    }

    private JsonValue Unknown(ArmCall call, ArmTemplate scope, JsonNode?[]? evaluated = null)
    {
        evaluated ??= call.Arguments.Select(a => IsLambda(a) ? null : Evaluate(a, scope)).ToArray();
        var arguments = call.Arguments.Select((a, i) => IsLambda(a) ? a : ToExpression(evaluated[i], a)).ToList();
        return JsonValue.Create(new ArmCall(call.Name, arguments).ToJsonString());
    }

    private static bool IsLambda(ArmExpression expression) => expression is ArmCall { Name: "lambda" };

    private static ArmExpression ToExpression(JsonNode? value, ArmExpression original) => value switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => ArmExpression.IsExpression(s) ? ArmExpression.Parse(s) : new ArmString(s),
        JsonValue v when v.TryGetValue<long>(out var n) => new ArmNumber(n),
        JsonValue v when v.TryGetValue<bool>(out var b) => new ArmCall(b ? "true" : "false", []),
        _ => original, // objects, arrays, null: the expression as written
    };

    /// <summary>
    /// A string value as a name pattern: known text as is, a <c>format(…)</c> with its unknown arguments as
    /// <c>*</c>, anything else unknown as <c>*</c>. Keys of createObject/toObject (app setting names, secret names).
    /// </summary>
    public static string Pattern(JsonNode? value) => value switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => ArmExpression.IsExpression(s) ? WildcardKey(ArmExpression.Parse(s)) : s,
        _ => throw new NotSupportedException($"Name {value?.ToJsonString()} is not a string."),
    };

    /// <summary>A string value's text: known text, or an unknown one's rendered expression <c>[…]</c>.</summary>
    public static string Text(JsonNode? value) => value is JsonValue v && v.TryGetValue<string>(out var s)
        ? s
        : throw new NotSupportedException($"{value?.ToJsonString()} is not a string.");

    // format('CleverTap__Connections__{0}__AccountId', <unknown>) → CleverTap__Connections__*__AccountId.
    private static string WildcardKey(ArmExpression key) => key is ArmCall { Name: "format", Arguments: [ArmString template, ..] } format
        ? Placeholder().Replace(template.Value, m =>
        {
            var argument = format.Arguments[int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) + 1];
            return argument is ArmString literal ? literal.Value : "*";
        })
        : "*";

    private static string Format(JsonNode?[] args)
    {
        var template = args[0]!.GetValue<string>();
        return Placeholder().Replace(template, m =>
        {
            var value = args[int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) + 1];
            return value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString() ?? "";
        });
    }

    private static bool IsEmpty(JsonNode? value) => value switch
    {
        null => true,
        JsonObject o => o.Count == 0,
        JsonArray a => a.Count == 0,
        JsonValue v when v.TryGetValue<string>(out var s) => s.Length == 0,
        _ => false,
    };

    private static JsonObject Merge(IEnumerable<JsonObject> objects)
    {
        var result = new JsonObject();
        foreach (var obj in objects)
        {
            foreach (var (key, value) in obj)
                result[key] = value?.DeepClone();
        }
        return result;
    }

    private static NotSupportedException Unsupported(ArmCall call) => new($"Cannot evaluate {call}.");

    [GeneratedRegex(@"\{(\d+)\}")]
    private static partial Regex Placeholder();
}
